/**
 * The people who may use the node's web GUI, their roles and their sessions. Passwords are kept as
 * scrypt hashes (node:crypto, salted per user); sessions as the SHA-256 of a random token, so a copy
 * of the database opens no session. Every change to a user is written to the audit table.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { SqliteDatabase } from './database';
import { NodeError } from './errors';
import type { NodeRepository } from './repository';

/** What a user may do: admins everything; operators register datasets and decide on plans; viewers read. */
export type UserRole = 'admin' | 'operator' | 'viewer';

/** The roles, most powerful first. */
export const USER_ROLES: readonly UserRole[] = ['admin', 'operator', 'viewer'];

/** A GUI user, without the password hash. */
export interface UserRecord {
  readonly name: string;
  readonly role: UserRole;
  readonly createdAt: string;
}

/** A session just opened: the token goes to the browser, only its hash is stored. */
export interface OpenedSession {
  readonly token: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/** Users, passwords and sessions of the node GUI. */
export interface UserRegistry {
  /** @throws NodeError INVALID_ARGUMENT (name, role or password) or USER_EXISTS */
  add(name: string, role: UserRole, password: string, actor: string): UserRecord;
  list(): UserRecord[];
  /** @throws NodeError USER_NOT_FOUND */
  get(name: string): UserRecord;
  /** @throws NodeError USER_NOT_FOUND, INVALID_ARGUMENT when it would leave no admin */
  setRole(name: string, role: UserRole, actor: string): UserRecord;
  /** @throws NodeError USER_NOT_FOUND, INVALID_ARGUMENT for a weak password */
  setPassword(name: string, password: string, actor: string): void;
  /** Removes the user and their sessions. @throws NodeError USER_NOT_FOUND, INVALID_ARGUMENT when it would leave no admin */
  remove(name: string, actor: string): void;
  /** The user when the password matches, else `undefined` (the time taken does not tell which part was wrong). */
  verify(name: string, password: string): UserRecord | undefined;
  openSession(name: string, ttlMs: number): OpenedSession;
  /** The user of a live session, or `undefined` for an unknown or expired token. */
  sessionUser(token: string): UserRecord | undefined;
  closeSession(token: string): void;
}

/** The shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 10;

const NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
const SCRYPT = { N: 16_384, r: 8, p: 1, keyLength: 64 } as const;
/** Verified against when the user does not exist, so an unknown name costs as much as a wrong password. */
const DUMMY_HASH = hashPassword('not a password of anyone');

/** `scrypt$N$r$p$salt$hash`, base64 parts. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Whether `password` matches a {@link hashPassword} result, compared in constant time. */
export function passwordMatches(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

interface UserRow {
  name: string;
  role: UserRole;
  password_hash: string;
  created_at: string;
}

/** Builds the user registry on the node database, auditing into `repository`. */
export function createUserRegistry(db: SqliteDatabase, repository: NodeRepository): UserRegistry {
  const row = (name: string): UserRow | undefined => db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
  const existing = (name: string): UserRow => {
    const found = row(name);
    if (!found) throw new NodeError('USER_NOT_FOUND', `no GUI user named ${JSON.stringify(name)}; see \`fedbiomed node user list\``);
    return found;
  };
  const assertAdminLeft = (without: string): void => {
    const admins = db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND name != ?").get(without) as { n: number };
    if (admins.n === 0) throw new NodeError('INVALID_ARGUMENT', `${without} is the last admin; make another user admin first`);
  };
  const audit = (actor: string, action: string, detail: string): void => {
    repository.appendAudit({ actor, action, outcome: 'done', detail });
  };
  const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

  return {
    add(name, role, password, actor) {
      if (!NAME_PATTERN.test(name)) throw new NodeError('INVALID_ARGUMENT', `user name ${JSON.stringify(name)} must be 1 to 64 letters, digits or . _ @ -`);
      assertRole(role);
      assertPassword(password);
      const record: UserRecord = { name, role, createdAt: new Date().toISOString() };
      repository.transaction(() => {
        if (row(name)) throw new NodeError('USER_EXISTS', `a GUI user named ${name} exists already`);
        db.prepare('INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)').run(name, role, hashPassword(password), record.createdAt);
        audit(actor, 'user.add', `${name} as ${role}`);
      });
      return record;
    },
    list() {
      return (db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[]).map(toUser);
    },
    get(name) {
      return toUser(existing(name));
    },
    setRole(name, role, actor) {
      assertRole(role);
      return repository.transaction(() => {
        const before = existing(name);
        if (before.role === 'admin' && role !== 'admin') assertAdminLeft(name);
        db.prepare('UPDATE users SET role = ? WHERE name = ?').run(role, name);
        audit(actor, 'user.role', `${name}: ${before.role} -> ${role}`);
        return { ...toUser(before), role };
      });
    },
    setPassword(name, password, actor) {
      assertPassword(password);
      repository.transaction(() => {
        existing(name);
        db.prepare('UPDATE users SET password_hash = ? WHERE name = ?').run(hashPassword(password), name);
        db.prepare('DELETE FROM sessions WHERE user_name = ?').run(name);
        audit(actor, 'user.password', name);
      });
    },
    remove(name, actor) {
      repository.transaction(() => {
        if (existing(name).role === 'admin') assertAdminLeft(name);
        db.prepare('DELETE FROM sessions WHERE user_name = ?').run(name);
        db.prepare('DELETE FROM users WHERE name = ?').run(name);
        audit(actor, 'user.remove', name);
      });
    },
    verify(name, password) {
      const found = row(name);
      const matches = passwordMatches(password, found?.password_hash ?? DUMMY_HASH);
      return found && matches ? toUser(found) : undefined;
    },
    openSession(name, ttlMs) {
      existing(name);
      const token = randomBytes(32).toString('base64url');
      const now = new Date();
      const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
      db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now.toISOString());
      db.prepare('INSERT INTO sessions (token_sha256, user_name, created_at, expires_at) VALUES (?, ?, ?, ?)').run(tokenHash(token), name, now.toISOString(), expiresAt);
      return { token, expiresAt };
    },
    sessionUser(token) {
      const found = db
        .prepare('SELECT users.* FROM sessions JOIN users ON users.name = sessions.user_name WHERE token_sha256 = ? AND expires_at > ?')
        .get(tokenHash(token), new Date().toISOString()) as UserRow | undefined;
      return found && toUser(found);
    },
    closeSession(token) {
      db.prepare('DELETE FROM sessions WHERE token_sha256 = ?').run(tokenHash(token));
    },
  };
}

function toUser(row: UserRow): UserRecord {
  return { name: row.name, role: row.role, createdAt: row.created_at };
}

function assertRole(role: string): asserts role is UserRole {
  if (!(USER_ROLES as readonly string[]).includes(role)) {
    throw new NodeError('INVALID_ARGUMENT', `role ${JSON.stringify(role)} is not one of ${USER_ROLES.join(', ')}`);
  }
}

function assertPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new NodeError('INVALID_ARGUMENT', `a password needs at least ${MIN_PASSWORD_LENGTH} characters (got ${password.length})`);
  }
}
