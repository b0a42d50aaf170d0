// Packs what tools/bench/webgpu/run-on-gpu.sh needs on a GPU machine that has no network and maybe
// no Node: a trimmed node_modules (tfjs Node bundles, tfjs-backend-webgpu, npm `webgpu` for
// linux-x64 only, zod), the built @fedbiomed/training, the bench scripts and this machine's Node
// binary, as one .gpu/webgpu-bench.tar.xz (ignored by git through .git/info/exclude; carry ".gpu").
// Usage, from the repository root, after `npx tsc -b packages/training`:
//   node tools/bench/webgpu/prepare-carry.mjs
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = process.cwd();
const stage = join(root, '.gpu', 'webgpu-bench');
const modules = join(stage, 'node_modules');
rmSync(stage, { recursive: true, force: true });
mkdirSync(modules, { recursive: true });

const pkgDir = (name) => join(root, 'node_modules', name);
const pkgJson = (name) => JSON.parse(readFileSync(join(pkgDir(name), 'package.json'), 'utf8'));
const copy = (name, ...files) => {
  for (const file of files) {
    const from = join(pkgDir(name), file);
    if (!existsSync(from)) throw new Error(`missing ${from}`);
    mkdirSync(dirname(join(modules, name, file)), { recursive: true });
    cpSync(from, join(modules, name, file), { recursive: true });
  }
};

// tfjs packages: only package.json and the Node bundle each one's "main" names.
const seen = new Set();
const walk = (name) => {
  if (seen.has(name)) return;
  seen.add(name);
  const json = pkgJson(name);
  if (name.startsWith('@tensorflow/')) copy(name, 'package.json', json.main);
  else copy(name, '.');
  for (const dep of Object.keys(json.dependencies ?? {})) {
    if (dep.startsWith('@types/') || dep === '@webgpu/types') continue;
    if (existsSync(pkgDir(dep))) walk(dep);
  }
};
for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', 'zod']) walk(name);
// npm `webgpu`: its loader and the linux-x64 Dawn build only (the other platforms are 100 MB).
copy('webgpu', 'package.json', 'index.js', 'dist/linux-x64');
for (const dep of Object.keys(pkgJson('webgpu').dependencies ?? {})) if (!dep.startsWith('@webgpu/')) walk(dep);

// Our package, built.
const training = join(modules, '@fedbiomed', 'training');
mkdirSync(training, { recursive: true });
cpSync(join(root, 'packages', 'training', 'package.json'), join(training, 'package.json'));
cpSync(join(root, 'packages', 'training', 'dist'), join(training, 'dist'), { recursive: true, filter: (src) => !/\.test\.|\.map$|\.d\.ts$|testing/.test(src) });
for (const dep of Object.keys(pkgJson('@fedbiomed/training').dependencies ?? {})) {
  if (dep.startsWith('@fedbiomed/') && dep !== '@fedbiomed/training') {
    const dir = join(root, 'node_modules', dep);
    const target = join(modules, dep);
    mkdirSync(target, { recursive: true });
    cpSync(join(dir, 'package.json'), join(target, 'package.json'));
    if (existsSync(join(dir, 'dist'))) cpSync(join(dir, 'dist'), join(target, 'dist'), { recursive: true, filter: (src) => !/\.test\.|\.map$|\.d\.ts$/.test(src) });
  }
}

cpSync(join(root, 'tools', 'bench', 'webgpu', 'webgpu-bench.js'), join(stage, 'webgpu-bench.js'));
cpSync(join(root, 'tools', 'bench', 'training-backends-models.js'), join(stage, 'training-backends-models.js'));
cpSync(join(root, 'tools', 'bench', 'training-backends-torch.py'), join(stage, 'training-backends-torch.py'));
mkdirSync(join(stage, 'bin'), { recursive: true });
cpSync(process.execPath, join(stage, 'bin', 'node'));
writeFileSync(join(stage, 'PACKED.txt'), `packed ${new Date().toISOString()} from ${root} with Node ${process.version}\n`);

const archive = join(root, '.gpu', 'webgpu-bench.tar.xz');
execFileSync('tar', ['-C', join(root, '.gpu'), '-cJf', archive, 'webgpu-bench'], { env: { ...process.env, XZ_OPT: '-6 -T2' } });
rmSync(stage, { recursive: true, force: true });
console.log(`${archive}: ${(statSync(archive).size / 2 ** 20).toFixed(1)} MiB`);
