import { join } from 'node:path';
import { Command } from 'commander';
import { runDemo } from './demo-run';
import { portNumber } from './port-option';
import { positiveInteger, positiveNumber } from './option-parsers';

/** Folder of the data bundled with the CLI (Fed-Heart-Disease, with its SOURCE.md). */
export const DEMO_DATA_DIR = join(__dirname, '..', 'demo-data', 'heart_disease');

/** Registers `fedbiomed demo`. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run a federation on this machine: a researcher and the 4 hospitals of Fed-Heart-Disease')
    .option('--rounds <n>', 'FedAvg rounds', positiveInteger, 5)
    .option('--updates <n>', 'local SGD updates per round', positiveInteger, 50)
    .option('--lr <rate>', 'local SGD learning rate', positiveNumber, 0.05)
    .option('--seed <n>', 'seed of the initial model and the nodes’ shuffling', positiveInteger, 42)
    .option('--out <dir>', 'output folder (model, metrics, logs)', join('out', 'demo'))
    .option('--data <dir>', 'Fed-Heart-Disease folder', DEMO_DATA_DIR)
    .option('--dashboard-port <port>', "port of the researcher's dashboard, served while the federation trains (0: any free port)", portNumber, 0)
    .option('--dashboard-host <host>', 'interface the dashboard binds', '127.0.0.1')
    .option('--no-dashboard', 'do not serve the dashboard')
    .option('--keep-dashboard', 'after the last round, keep serving the dashboard until Ctrl-C', false)
    .action(async function (this: Command) {
      const o = this.opts<{ rounds: number; updates: number; lr: number; seed: number; out: string; data: string; dashboard: boolean; keepDashboard: boolean; dashboardPort: number; dashboardHost: string }>();
      await runDemo({
        rounds: o.rounds,
        updates: o.updates,
        learningRate: o.lr,
        seed: o.seed,
        out: o.out,
        dataDir: o.data,
        binPath: join(__dirname, 'bin.js'),
        stdout: process.stdout,
        ...(o.dashboard && { dashboard: { host: o.dashboardHost, port: o.dashboardPort }, keepDashboard: o.keepDashboard }),
      });
    });
}
