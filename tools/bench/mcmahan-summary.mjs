// The tables of docs/benchmarks/mcmahan-mnist.md, from the reports of tools/bench/mcmahan-mnist.mjs: one row
// per strategy (rounds run, first round at 97, 98 and 99% test accuracy, best accuracy and its round,
// median CPU-seconds per round), then the accuracy of every strategy at the same rounds.
//
//   node tools/bench/mcmahan-summary.mjs [--at 5,10,20] REPORT.json [REPORT.json ...]
//
// A report may hold several strategies (one process running them in turn) or one (one process per
// strategy, as the doc's command runs them); the rows follow the order of the files, then of the report.
// --at: the rounds of the second table (default: every 10th round to the longest run's last).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { median } from './bench-support.mjs';

const { values: flags, positionals: files } = parseArgs({ options: { at: { type: 'string' } }, allowPositionals: true });
if (files.length === 0) throw new Error('usage: node tools/bench/mcmahan-summary.mjs [--at 5,10,20] REPORT.json [REPORT.json ...]');

const runs = files.flatMap((file) => {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(report.strategies)) throw new Error(`${file}: not a report of tools/bench/mcmahan-mnist.mjs (no "strategies" list)`);
  return report.strategies.map((strategy) => ({ label: label(strategy), accuracy: strategy.accuracy, cpu: strategy.roundCpuSeconds ?? [] }));
});

const longest = Math.max(...runs.map((run) => run.accuracy.length));
const columns = flags.at !== undefined ? flags.at.split(',').map(Number) : Array.from({ length: Math.floor(longest / 10) }, (_, i) => 10 * (i + 1));
for (const round of columns) if (!Number.isInteger(round) || round < 1) throw new Error(`--at: "${round}" is not a round number (1, 2, ...)`);

console.log('| strategy | rounds run | first round ≥ 97% | first round ≥ 98% | first round ≥ 99% | best (round) | CPU-s per round (median) |');
console.log('|---|---|---|---|---|---|---|');
for (const { label: name, accuracy, cpu } of runs) {
  const best = accuracy.reduce((at, value, i) => (value > accuracy[at] ? i : at), 0);
  const cpuMedian = cpu.length > 0 ? median(cpu).toFixed(0) : '—';
  console.log(`| ${name} | ${accuracy.length} | ${firstAtLeast(accuracy, 0.97)} | ${firstAtLeast(accuracy, 0.98)} | ${firstAtLeast(accuracy, 0.99)} | ${accuracy[best].toFixed(4)} (${best + 1}) | ${cpuMedian} |`);
}
console.log('');
console.log(`| round | ${columns.join(' | ')} |`);
console.log(`|---|${columns.map(() => '---|').join('')}`);
for (const { label: name, accuracy } of runs) console.log(`| ${name} | ${columns.map((round) => accuracy[round - 1]?.toFixed(3) ?? '—').join(' | ')} |`);

function firstAtLeast(curve, target) {
  const index = curve.findIndex((value) => value >= target);
  return index < 0 ? 'not reached' : String(index + 1);
}

function label({ name, config }) {
  const shown = { fedavg: 'FedAvg', fedprox: 'FedProx', scaffold: 'SCAFFOLD' }[name] ?? name;
  return typeof config?.mu === 'number' ? `${shown} (μ = ${config.mu})` : shown;
}
