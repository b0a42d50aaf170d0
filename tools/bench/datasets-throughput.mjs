// Benchmark of @fedbiomed/datasets: CSV rows/s (whole-file load and streaming) and image decodes/s,
// each beside a plain read of the same bytes (fs.readFile + split lines; raw file reads), plus
// tf.memory().numTensors before and after 100 epochs of batching.
//
//   npx tsc -b packages/datasets && node tools/bench/datasets-throughput.mjs [--quick]
//
// Inputs are built from the bundled datasets (data/) in a temp folder: the pseudo-ADNI CSV repeated to
// 100,000 rows (21.7 MB) and the 12 MedNIST JPEGs copied 20 times (240 images). Each measure runs
// REPEATS times; medians are reported. Writes docs/benchmarks/datasets.md.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuModel } from './bench-support.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const ds = require(path.join(root, 'packages/datasets/dist/index.js'));
const tf = require('@tensorflow/tfjs');
const shared = process.env.FEDBIOMED_DATASETS ?? path.resolve(root, 'data');

const quick = process.argv.includes('--quick');
const REPEATS = quick ? 3 : 9;
const CSV_COPIES = quick ? 10 : 100;
const IMAGE_COPIES = quick ? 5 : 20;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function time(fn) {
  const samples = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return median(samples);
}

const temp = mkdtempSync(path.join(os.tmpdir(), 'fedbiomed-bench-datasets-'));
try {
  await tf.setBackend('cpu');
  // ---- CSV ----
  const source = readFileSync(path.join(shared, 'fedbiomed_pseudo_adni', 'pseudo_adni_mod.csv'), 'latin1').split('\r\n');
  const header = source[0];
  const body = source.slice(1).filter((l) => l.length > 0);
  const csvFile = path.join(temp, 'adni-big.csv');
  writeFileSync(csvFile, [header, ...Array.from({ length: CSV_COPIES }, () => body).flat()].join('\r\n'));
  const rows = body.length * CSV_COPIES;
  const csvOptions = { delimiter: ';', label: 'MMSE.bl', task: 'regression' };

  const plainSplit = await time(async () => {
    const lines = (await readFile(csvFile, 'utf8')).split('\r\n');
    if (lines.length !== rows + 1) throw new Error('line count');
  });
  const plainParse = await time(async () => {
    const lines = (await readFile(csvFile, 'utf8')).split('\r\n');
    const out = new Float32Array(rows * 16);
    for (let i = 1; i < lines.length; i++) lines[i].split(';').forEach((v, j) => (out[(i - 1) * 16 + j] = Number(v)));
  });
  const { parse } = require('csv-parse/sync');
  const parserOnly = await time(async () => {
    const records = parse(await readFile(csvFile), { delimiter: ';', info: true, relax_column_count: true, skip_empty_lines: true, bom: true });
    if (records.length !== rows + 1) throw new Error('record count');
  });
  const loaded = await time(async () => {
    const { dataset } = await ds.loadCsv(csvFile, csvOptions);
    if (dataset.size !== rows) throw new Error('row count');
  });
  const streamed = await time(async () => {
    let n = 0;
    for await (const batch of ds.streamCsvBatches(csvFile, { delimiter: ';', label: 'MMSE.bl', batchSize: 256 })) {
      n += batch.size;
      batch.xs.dispose();
      batch.ys.dispose();
    }
    if (n !== rows) throw new Error('streamed count');
  });

  // ---- images ----
  const archiveDir = path.join(temp, 'mednist');
  mkdirSync(archiveDir);
  execFileSync('tar', ['xzf', path.join(shared, 'fedbiomed_mednist_test', 'MedNIST_test.tar.gz'), '-C', archiveDir]);
  const imageDir = path.join(temp, 'images');
  const files = [];
  for (const cls of readdirSync(path.join(archiveDir, 'MedNIST'))) {
    mkdirSync(path.join(imageDir, cls), { recursive: true });
    for (const f of readdirSync(path.join(archiveDir, 'MedNIST', cls))) {
      for (let c = 0; c < IMAGE_COPIES; c++) {
        const target = path.join(imageDir, cls, `${c}-${f}`);
        copyFileSync(path.join(archiveDir, 'MedNIST', cls, f), target);
        files.push(target);
      }
    }
  }
  const imagesRaw = await time(async () => {
    for (const f of files) await readFile(f);
  });
  const imagesDecoded = await time(async () => {
    const dataset = await ds.loadImageFolder(imageDir);
    if (dataset.size !== files.length) throw new Error('image count');
  });

  // ---- tensors over 100 epochs ----
  const wdbc = await ds.openBreastCancer({ dir: path.join(shared, 'breast_cancer_wisconsin') });
  const split = ds.splitTrainTest(wdbc, 0.2, 1);
  const before = tf.memory().numTensors;
  let batches = 0;
  for (let epoch = 0; epoch < 100; epoch++) {
    await ds.forEachBatch(wdbc, { indices: split.train, batchSize: 32, shuffleSeed: epoch }, (batch) => {
      batches++;
      tf.tidy(() => {
        batch.xs.sum().add(batch.ys.sum());
      });
    });
  }
  const after = tf.memory().numTensors;

  const cpu = cpuModel();
  const mb = readFileSync(csvFile).length / 1e6;
  const table = [
    `# @fedbiomed/datasets benchmarks`,
    ``,
    `Produced by \`node tools/bench/datasets-throughput.mjs\` (after \`npx tsc -b packages/datasets\`) on ${new Date().toISOString().slice(0, 10)}, ${cpu}, ${os.cpus().length} cores, Node ${process.version}, tfjs ${tf.version_core} (cpu backend).`,
    `Medians of ${REPEATS} runs. The machine is shared with other engineers' test runs (load average ${os.loadavg()[0].toFixed(1)} at the end of this run), so absolute figures are low and single runs vary; compare rows of one table, all measured in the same run.`,
    ``,
    `## CSV: pseudo-ADNI repeated to ${fmt(rows)} rows × 16 columns (${mb.toFixed(1)} MB, \`;\`, CRLF)`,
    ``,
    `| reader | median s | rows/s | vs plain read + split |`,
    `|---|---|---|---|`,
    `| baseline: fs.readFile + split lines | ${plainSplit.toFixed(3)} | ${fmt(rows / plainSplit)} | 1.0× |`,
    `| baseline: fs.readFile + split lines + split fields + Number() | ${plainParse.toFixed(3)} | ${fmt(rows / plainParse)} | ${(plainParse / plainSplit).toFixed(1)}× slower |`,
    `| reference: csv-parse's sync API alone on the whole buffer (same options; loadCsv streams the file through csv-parse instead) | ${parserOnly.toFixed(3)} | ${fmt(rows / parserOnly)} | ${(parserOnly / plainSplit).toFixed(1)}× slower |`,
    `| \`loadCsv\` (csv-parse, type inference, validation, ArrayDataset) | ${loaded.toFixed(3)} | ${fmt(rows / loaded)} | ${(loaded / plainSplit).toFixed(1)}× slower |`,
    `| \`streamCsvBatches\` (incremental read, batches of 256 as tensors) | ${streamed.toFixed(3)} | ${fmt(rows / streamed)} | ${(streamed / plainSplit).toFixed(1)}× slower |`,
    ``,
    `Reading the CSV figures: csv-parse itself is most of the cost (compare its row with the plain split); \`loadCsv\` adds type inference, validation and encoding on top of it. The parser sits behind \`csv-table.ts\` alone, so a faster one could replace it without touching the adapters.`,
    ``,
    `## Images: MedNIST sample copied to ${files.length} JPEGs of 64×64 grayscale`,
    ``,
    `| reader | median s | images/s |`,
    `|---|---|---|`,
    `| baseline: fs.readFile of each file (no decode) | ${imagesRaw.toFixed(3)} | ${fmt(files.length / imagesRaw)} |`,
    `| \`loadImageFolder\` (sharp decode, grayscale, scale to [0, 1]) | ${imagesDecoded.toFixed(3)} | ${fmt(files.length / imagesDecoded)} (${(imagesDecoded / imagesRaw).toFixed(1)}× the raw read) |`,
    ``,
    `## Tensor leaks: 100 epochs of batching`,
    ``,
    `WDBC train split (456 samples), batch 32, a new shuffle seed per epoch, \`forEachBatch\` with a \`tf.tidy\` computation per batch: ${fmt(batches)} batches.`,
    `tf.memory().numTensors before: **${before}**, after: **${after}**.`,
    ``,
  ].join('\n');
  writeFileSync(path.join(root, 'docs', 'benchmarks', 'datasets.md'), table);
  console.log(table);
  if (after !== before) process.exitCode = 1;
} finally {
  rmSync(temp, { recursive: true, force: true });
}
