#!/usr/bin/env node
import { enableProdMode } from '@tensorflow/tfjs';
import { runCli } from './program';

// The CLI is an application, not a library: tfjs runs in production mode here (no debug checks,
// no "install tfjs-node" banner on every node and researcher start).
enableProdMode();

runCli(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
