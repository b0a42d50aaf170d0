import { readFileSync, writeFileSync } from 'node:fs';
import { Analytics, createTransportFederation, waitForNodes, type ExperimentEvent } from '@fedbiomed/researcher';
import { analyticsQueryInputSchema } from '@fedbiomed/training';
import { ResearcherServer } from '@fedbiomed/transport';
import { describeZodIssues } from '@fedbiomed/datasets';
import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { analyticsReport } from './analytics-report';
import { loadResearcherTls, plaintextWarning } from './researcher-tls';

/** A query file: the query, and the tags of the datasets it runs on. */
const queryFileSchema = analyticsQueryInputSchema.extend({ tags: z.array(z.string().min(1)).default([]) });

/** Reads and checks a query file; the error names the file and each faulty field. */
export function readQueryFile(file: string): z.output<typeof queryFileSchema> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new InvalidArgumentError(`cannot read query file ${file}: ${(cause as Error).message}`);
  }
  const parsed = queryFileSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`query file ${file}: ${describeZodIssues(parsed.error.issues, value).join('; ')}`);
  return parsed.data;
}

/**
 * Registers `fedbiomed researcher analytics`: serve nodes, wait for them, send a query for the
 * operators' approval, print the pooled and per-node statistics and save them as JSON.
 */
export function registerAnalyticsCommand(researcher: Command): void {
  researcher
    .command('analytics')
    .description('run a federated analytics query (statistics per node and pooled) and exit')
    .requiredOption('--query <file>', 'query file (JSON: name, tags, rows, statistics; see docs/analytics.md)')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--port <port>', 'port to bind (0: any free port)', positiveOrZero('port'), 50051)
    .option('--token <token...>', 'enrolment tokens nodes must present (or $FEDBIOMED_ENROLMENT_TOKEN)')
    .option('--wait-for-nodes <n>', 'nodes to wait for before asking', positiveOrZero('node count'), 1)
    .option('--wait-timeout <ms>', 'how long to wait for them', positiveOrZero('milliseconds'), 120_000)
    .option('--min-nodes <n>', 'nodes that must approve and answer', positiveOrZero('node count'), 1)
    .option('--approval-timeout <ms>', 'how long to wait for node operators to approve the query', positiveOrZero('milliseconds'), 600_000)
    .option('--out <file>', 'write the result (per node and pooled) as JSON')
    .option('--tls-cert <file>', "researcher's certificate (PEM): serve TLS (with --tls-key)")
    .option('--tls-key <file>', "researcher's private key (PEM)")
    .option('--tls-ca <file>', "CA (PEM) of the nodes' client certificates: mutual TLS")
    .action(async function (this: Command) {
      const o = this.opts<{
        query: string;
        host: string;
        port: number;
        token?: string[];
        waitForNodes: number;
        waitTimeout: number;
        minNodes: number;
        approvalTimeout: number;
        out?: string;
        tlsCert?: string;
        tlsKey?: string;
        tlsCa?: string;
      }>();
      let query: z.output<typeof queryFileSchema>;
      try {
        query = readQueryFile(o.query);
      } catch (error) {
        this.error(`error: ${(error as Error).message}`, { exitCode: 2 });
      }
      const tls = loadResearcherTls({ cert: o.tlsCert, key: o.tlsKey, clientCa: o.tlsCa }, undefined);
      const tokens = o.token ?? (process.env['FEDBIOMED_ENROLMENT_TOKEN'] ? [process.env['FEDBIOMED_ENROLMENT_TOKEN']] : undefined);
      if (tokens === undefined && tls?.clientCaPem === undefined) {
        this.error('error: give nodes an enrolment token: --token <token> or $FEDBIOMED_ENROLMENT_TOKEN (or require client certificates with --tls-ca)', { exitCode: 2 });
      }
      const warning = plaintextWarning(o.host, tls);
      if (warning !== undefined) console.warn(warning);
      const server = new ResearcherServer({ host: o.host, port: o.port, enrolmentTokens: tokens, ...(tls && { tls }) });
      const bound = await server.start();
      console.log(`researcher listening on ${o.host}:${bound}; waiting for ${o.waitForNodes} node(s)…`);
      try {
        await waitForNodes(server, { count: Math.max(1, o.waitForNodes), timeoutMs: o.waitTimeout });
        const analytics = new Analytics({
          federation: createTransportFederation(server),
          minNodes: Math.max(1, o.minNodes),
          approvalTimeoutMs: o.approvalTimeout,
          approvalPollIntervalMs: 500,
          onEvent: (event) => {
            const line = approvalLine(event);
            if (line !== undefined) console.log(line);
          },
        });
        const result = await analytics.query(query);
        console.log(analyticsReport(result));
        if (o.out !== undefined) {
          writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
          console.log(`result saved in ${o.out}`);
        }
      } finally {
        await server.stop();
      }
    });
}

function approvalLine(event: ExperimentEvent): string | undefined {
  switch (event.type) {
    case 'approval-pending':
      return `waiting for approval on ${event.nodeName} (${event.nodeId}): query "${event.planName}" ${event.planSha256.slice(0, 12)}…; its operator runs: fedbiomed node --path <node folder> plan approve ${event.planSha256}`;
    case 'approval-granted':
      return `query approved on ${event.nodeName}`;
    case 'approval-rejected':
      return `query rejected on ${event.nodeName}${event.message ? ` (${event.message})` : ''}`;
    default:
      return undefined;
  }
}

function positiveOrZero(what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a ${what} (a non-negative integer), got "${value}"`);
    return n;
  };
}
