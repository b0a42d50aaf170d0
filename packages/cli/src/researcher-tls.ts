import { readFileSync } from 'node:fs';
import { isLoopbackHost, type ServerTlsOptions } from '@fedbiomed/transport';

/** PEM files of the researcher's TLS, from `--tls-*` flags or an experiment file's `tls`. */
export interface ResearcherTlsFiles {
  /** The researcher's certificate. */
  readonly cert?: string;
  readonly key?: string;
  /** CA of the nodes' client certificates: mutual TLS. */
  readonly clientCa?: string;
}

/** How the researcher's port is secured, as said in its `listening on` line. */
export type ResearcherSecurity = 'plaintext' | 'TLS' | 'mutual TLS';

/**
 * Reads the researcher's TLS files: the flags when any is given, else the experiment file's `tls`.
 * Returns `undefined` for plaintext.
 *
 * @throws Error naming the flag or file at fault (a key without a certificate, a client CA without
 *   both, an unreadable file)
 */
export function loadResearcherTls(flags: ResearcherTlsFiles, fromFile: ResearcherTlsFiles | undefined): ServerTlsOptions | undefined {
  const chosen = flags.cert !== undefined || flags.key !== undefined || flags.clientCa !== undefined ? flags : fromFile;
  if (chosen === undefined) return undefined;
  if (chosen.cert === undefined || chosen.key === undefined) {
    throw new Error('TLS needs the researcher\'s certificate and key together: --tls-cert <file> --tls-key <file> (--tls-ca alone is not enough)');
  }
  return {
    certPem: readPem(chosen.cert, '--tls-cert'),
    keyPem: readPem(chosen.key, '--tls-key'),
    ...(chosen.clientCa !== undefined && { clientCaPem: readPem(chosen.clientCa, '--tls-ca') }),
  };
}

/** What the `listening on` line says about the port. */
export function securityOf(tls: ServerTlsOptions | undefined): ResearcherSecurity {
  if (tls === undefined) return 'plaintext';
  return tls.clientCaPem === undefined ? 'TLS' : 'mutual TLS';
}

/**
 * The warning printed when the researcher serves plaintext on an interface other hosts can reach:
 * model parameters and enrolment tokens would cross the network readable by anyone on the path.
 */
export function plaintextWarning(host: string, tls: ServerTlsOptions | undefined): string | undefined {
  if (tls !== undefined || isLoopbackHost(host)) return undefined;
  return [
    '',
    `WARNING: serving PLAINTEXT gRPC on ${host}, which other hosts can reach: anyone on the network path`,
    'WARNING: can read the model parameters, metrics and enrolment tokens. Give --tls-cert and --tls-key',
    'WARNING: (and --tls-ca for mutual TLS); `fedbiomed certs` creates them (docs/guides/deployment.md).',
    '',
  ].join('\n');
}

function readPem(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${flag}: cannot read ${path} (${(error as Error).message})`);
  }
  if (!text.includes('-----BEGIN ')) throw new Error(`${flag}: ${path} is not a PEM file`);
  return text;
}
