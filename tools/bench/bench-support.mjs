// What several benchmark scripts share: the machine's CPU model for their reports, small
// statistics, and the four Fed-Heart-Disease hospitals as real @fedbiomed/node runtimes (folder,
// SQLite registry, plan approval) connected over gRPC on loopback to a ResearcherServer, in this process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
/** A workspace package's built entry point (build first: `npx tsc -b tsconfig.build.json`). */
export const loadPackage = (name) => require(path.join(root, 'packages', name, 'dist', 'index.js'));

/** `lscpu`'s model name (Node's own guess where lscpu is missing). */
export function cpuModel() {
  try {
    return execFileSync('lscpu', { encoding: 'utf8' }).match(/Model name:\s*(.+)/)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The median; the mean of the two middle values for an even count. */
export function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Starts a ResearcherServer and one node per Fed-Heart-Disease hospital, registering the bundled
 * data under `tag` with `datasetOptions` (plus the hospital's `center`) and the node `policy`;
 * resolves when all four are online. `stop()` stops the nodes and the server and removes their folders.
 */
export async function startHeartDiseaseNodes({ tag, datasetOptions = {}, policy }) {
  const { prepareNodeFolder, DEMO_DATA_DIR } = loadPackage('cli');
  const { openNode, startNode } = loadPackage('node');
  const { ResearcherServer } = loadPackage('transport');
  const { HEART_DISEASE_CENTERS } = loadPackage('datasets');
  const nodesRoot = mkdtempSync(path.join(os.tmpdir(), `fedbiomed-${tag}-`));
  const token = `${tag}-bench`;
  const server = new ResearcherServer({ enrolmentTokens: [token], logger: { debug() {}, info() {}, warn() {}, error: console.error } });
  const port = await server.start();
  const specs = HEART_DISEASE_CENTERS.map((center, index) => ({
    dir: path.join(nodesRoot, center),
    nodeId: `center-${index}-${center}`,
    nodeName: center,
    dataset: { dataType: 'heart-disease', path: DEMO_DATA_DIR, options: { center: index, ...datasetOptions }, tags: [tag] },
    ...(policy !== undefined && { policy }),
  }));
  const running = [];
  const opened = [];
  const stop = async () => {
    await Promise.all(running.map((r) => r.stop()));
    opened.forEach((node) => node.close());
    await server.stop();
    rmSync(nodesRoot, { recursive: true, force: true });
  };
  try {
    for (const spec of specs) {
      await prepareNodeFolder(spec, { address: `127.0.0.1:${port}`, token });
      const node = openNode(spec.dir, { env: { FEDBIOMED_NODE_LOG_LEVEL: 'warn' } });
      opened.push(node);
      running.push(await startNode(node));
    }
    while (server.nodes().filter((n) => n.state === 'online').length < specs.length) await new Promise((resolve) => setTimeout(resolve, 50));
  } catch (error) {
    await stop();
    throw error;
  }
  return { server, specs, stop };
}
