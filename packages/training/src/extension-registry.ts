import { TrainingError } from './errors';

const PLAIN_NAME = '[a-z][a-z0-9_]*';
const NPM_PACKAGE = '(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*';
const EXACT_VERSION = '\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?';

/** An npm package name, scoped or not (`@lab/survival`, `survival-losses`). */
export const NPM_PACKAGE_PATTERN = new RegExp(`^${NPM_PACKAGE}$`);
/** An exact semantic version (`1.2.0`, `1.2.0-rc.1`): plans name the one version they were approved with. */
export const EXACT_VERSION_PATTERN = new RegExp(`^${EXACT_VERSION}$`);
/** The name of an item within its plug-in (`weighted_bce`): snake_case. */
export const PLAIN_NAME_PATTERN = new RegExp(`^${PLAIN_NAME}$`);

const NAMESPACED = new RegExp(`^(${NPM_PACKAGE})@(${EXACT_VERSION})/(${PLAIN_NAME})$`);

/** A `package@version/name` split into its parts. */
export interface NamespacedName {
  readonly package: string;
  readonly version: string;
  readonly item: string;
}

/** The parts of a `package@version/name`; `undefined` for a plain (built-in or local) name. */
export function splitNamespacedName(name: string): NamespacedName | undefined {
  const match = NAMESPACED.exec(name);
  return match ? { package: match[1]!, version: match[2]!, item: match[3]! } : undefined;
}

/**
 * Names a loss or metric may be registered under: a plain snake_case name (`cox_ph`), or one
 * namespaced by the npm package and exact version that provides it (`@lab/survival@1.2.0/deephit`),
 * the form under which nodes will load approved plug-ins.
 */
export const EXTENSION_NAME_PATTERN = new RegExp(`^(?:${NPM_PACKAGE}@${EXACT_VERSION}/)?${PLAIN_NAME}$`);

/**
 * Entries by name, filled with the built-ins on first use rather than at import (the package has no
 * import-time side effects). Names are unique: registering one twice is refused, so a plan's name
 * always means one function in a process.
 */
export class ExtensionRegistry<T extends { readonly name: string }> {
  private readonly entries = new Map<string, T>();
  private builtinsRegistered = false;

  /**
   * @param kind - what the entries are, in error messages (`loss`, `metric`)
   * @param builtins - the entries registered before the first lookup or registration
   * @param reserved - names no entry may take
   */
  constructor(
    private readonly kind: string,
    private readonly builtins: () => readonly T[],
    private readonly reserved: readonly string[] = [],
  ) {}

  /** Adds an entry; refuses a malformed, reserved or taken name with `INVALID_ARGUMENT`. */
  register(entry: T): void {
    this.setup();
    this.add(entry);
  }

  /** The entry named `name`; `UNSUPPORTED` naming the known ones when there is none. */
  get(name: string): T {
    const entry = this.find(name);
    if (!entry) throw this.unknown(name);
    return entry;
  }

  /** The entry named `name`, if any. */
  find(name: string): T | undefined {
    this.setup();
    return this.entries.get(name);
  }

  /** The error for a name nothing is registered under: it lists the known names. */
  unknown(name: string): TrainingError {
    const source = splitNamespacedName(name);
    const origin = source ? ` (it comes from the plug-in ${source.package}@${source.version}, which is not installed here)` : '';
    return new TrainingError('UNSUPPORTED', `${this.kind} "${name}" is not registered${origin}; known: ${this.names().join(', ')}`);
  }

  /** Whether `name` is registered or reserved. */
  has(name: string): boolean {
    this.setup();
    return this.reserved.includes(name) || this.entries.has(name);
  }

  /** Every registered name (reserved ones first), sorted. */
  names(): string[] {
    this.setup();
    return [...this.reserved, ...[...this.entries.keys()].sort()];
  }

  private setup(): void {
    if (this.builtinsRegistered) return;
    this.builtinsRegistered = true;
    for (const entry of this.builtins()) this.add(entry);
  }

  private add(entry: T): void {
    const { name } = entry;
    if (!EXTENSION_NAME_PATTERN.test(name)) {
      throw new TrainingError(
        'INVALID_ARGUMENT',
        `${this.kind} name "${name}" is neither snake_case (my_${this.kind}) nor namespaced by its npm package (package@1.2.3/my_${this.kind})`,
      );
    }
    if (this.reserved.includes(name) || this.entries.has(name)) {
      throw new TrainingError('INVALID_ARGUMENT', `${this.kind} "${name}" is already registered`);
    }
    this.entries.set(name, entry);
  }
}
