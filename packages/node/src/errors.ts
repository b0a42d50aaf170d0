/**
 * The one error class of `@fedbiomed/node`, with a closed set of codes.
 */

/** Every way a node operation can fail before or outside a request from the researcher. */
export const NodeErrorCode = {
  /** The node folder has no config file: run `fedbiomed node init` first. */
  NOT_INITIALISED: 'NOT_INITIALISED',
  /** `init` found a config file already there. */
  ALREADY_INITIALISED: 'ALREADY_INITIALISED',
  /** The config file is not valid JSON or does not follow the schema. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** The database file is not a SQLite database. */
  INVALID_DATABASE: 'INVALID_DATABASE',
  /** The database was written by a newer version of this package. */
  DATABASE_TOO_NEW: 'DATABASE_TOO_NEW',
  /** A dataset failed validation by its adapter (the cause names file, row or column). */
  INVALID_DATASET: 'INVALID_DATASET',
  /** No dataset has this id. */
  DATASET_NOT_FOUND: 'DATASET_NOT_FOUND',
  /** The tags equal, contain or are contained in another dataset's tags. */
  TAG_CONFLICT: 'TAG_CONFLICT',
  /** A plan file is unreadable, malformed, fails validation or its hash does not match. */
  INVALID_PLAN: 'INVALID_PLAN',
  /** A plug-in listed in the config is not installed, or its package does not export a valid plug-in. */
  PLUGIN_LOAD_FAILED: 'PLUGIN_LOAD_FAILED',
  /** No plan has this hash. */
  PLAN_NOT_FOUND: 'PLAN_NOT_FOUND',
  /** An argument is missing or invalid (the message names it). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** A request from the researcher does not follow the contract (the message says what is missing). */
  MALFORMED_REQUEST: 'MALFORMED_REQUEST',
  /** The node's policy forbids what a request asks (e.g. an analytics count below the minimum cell count). */
  POLICY_VIOLATION: 'POLICY_VIOLATION',
  /** No tfjs backend could start (or the one forced by config or `--backend` cannot). */
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  /** Another running node holds the folder's lock (`node.lock`); the message names its pid. */
  FOLDER_IN_USE: 'FOLDER_IN_USE',
  /** No GUI user has this name. */
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  /** A GUI user with this name exists already. */
  USER_EXISTS: 'USER_EXISTS',
  /** The node cannot reach or stay connected to the researcher. */
  CONNECTION_FAILED: 'CONNECTION_FAILED',
} as const;

/** One of {@link NodeErrorCode}. */
export type NodeErrorCode = (typeof NodeErrorCode)[keyof typeof NodeErrorCode];

/** Thrown by every operation of this package; the message names the file, dataset or plan at fault. */
export class NodeError extends Error {
  override readonly name = 'NodeError';

  constructor(
    readonly code: NodeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
