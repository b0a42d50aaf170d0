/**
 * `@fedbiomed/cli`: the `fedbiomed` command (node, researcher and demo verbs), and the pieces the
 * demo is built from, for scripts that run a federation on one machine.
 * @packageDocumentation
 */

/**** The program ****/
export { buildProgram, runCli } from './program';

/**** Demo and local federations ****/
export { DEMO_DATA_DIR } from './demo-command';
export { runDemo } from './demo-run';
export type { DemoOptions, DemoSummary } from './demo-run';
export { buildHeartDiseasePlan, HEART_DISEASE_FEATURES } from './heart-disease-plan';
export type { HeartDiseasePlanOptions } from './heart-disease-plan';
export { approvePlanAsOperator, prepareNodeFolder, spawnNode, waitForNodes } from './local-nodes';
export type { LocalNodeProcess, LocalNodeSpec } from './local-nodes';

/**** Researcher experiment files ****/
export { experimentFileSchema, readExperimentFile } from './researcher-config';
export type { ExperimentFile } from './researcher-config';
