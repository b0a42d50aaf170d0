import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { NodeError } from './errors';
import { initNodeFolder } from './node-folder';
import { openNode, type Node } from './node';
import { hashPassword, passwordMatches } from './users';

// The GUI's users on a real node database (migration 6), through the node's registry.
let dir: TempDir;
let node: Node;

beforeEach(() => {
  dir = makeTempDir('fedbiomed-users-');
  initNodeFolder(dir.path, { nodeId: 'n1' });
  node = openNode(dir.path, { env: {} });
});

afterEach(() => {
  node.close();
  dir.dispose();
});

test('passwords are stored as salted scrypt hashes and checked against them', () => {
  const first = hashPassword('a long passphrase');
  expect(first).toMatch(/^scrypt\$16384\$8\$1\$/);
  expect(first).not.toContain('a long passphrase');
  expect(hashPassword('a long passphrase')).not.toBe(first);
  expect(passwordMatches('a long passphrase', first)).toBe(true);
  expect(passwordMatches('a long passphrasE', first)).toBe(false);
});

test('a user signs in with the right password only, and every change is audited under its author', () => {
  node.users.add('alice', 'admin', 'alice password', 'root');
  expect(node.users.verify('alice', 'alice password')).toMatchObject({ name: 'alice', role: 'admin' });
  expect(node.users.verify('alice', 'wrong password')).toBeUndefined();
  expect(node.users.verify('nobody', 'alice password')).toBeUndefined();
  node.users.add('bob', 'viewer', 'bob password!', 'alice');
  node.users.setRole('bob', 'operator', 'alice');
  expect(node.audit().map((e) => [e.actor, e.action, e.detail])).toEqual([
    ['alice', 'user.role', 'bob: viewer -> operator'],
    ['alice', 'user.add', 'bob as viewer'],
    ['root', 'user.add', 'alice as admin'],
  ]);
});

test('bad names, roles, short passwords and duplicates are refused with the reason', () => {
  expect(() => node.users.add('a b', 'viewer', 'long enough pw', 'root')).toThrow(/user name "a b" must be/);
  expect(() => node.users.add('carol', 'root' as never, 'long enough pw', 'root')).toThrow(/role "root" is not one of admin, operator, viewer/);
  expect(() => node.users.add('carol', 'viewer', 'short', 'root')).toThrow(/at least 10 characters/);
  node.users.add('carol', 'viewer', 'long enough pw', 'root');
  expect(() => node.users.add('carol', 'viewer', 'long enough pw', 'root')).toThrow(expect.objectContaining({ code: 'USER_EXISTS' }) as NodeError);
});

test('the last admin can be neither demoted nor removed', () => {
  node.users.add('alice', 'admin', 'alice password', 'root');
  expect(() => node.users.setRole('alice', 'viewer', 'alice')).toThrow(/alice is the last admin/);
  expect(() => node.users.remove('alice', 'alice')).toThrow(/alice is the last admin/);
  node.users.add('bob', 'admin', 'bob password!', 'alice');
  node.users.remove('alice', 'bob');
  expect(node.users.list().map((u) => u.name)).toEqual(['bob']);
});

test('a session token opens the session until it expires or closes; only its hash is stored', () => {
  node.users.add('alice', 'operator', 'alice password', 'root');
  const live = node.users.openSession('alice', 60_000);
  expect(node.users.sessionUser(live.token)).toMatchObject({ name: 'alice', role: 'operator' });
  const db = new Database(node.paths.database, { readonly: true });
  const stored = JSON.stringify(db.prepare('SELECT * FROM sessions').all());
  db.close();
  expect(stored).not.toContain(live.token);
  expect(stored).toContain(createHash('sha256').update(live.token).digest('hex'));
  const expired = node.users.openSession('alice', -1);
  expect(node.users.sessionUser(expired.token)).toBeUndefined();
  node.users.closeSession(live.token);
  expect(node.users.sessionUser(live.token)).toBeUndefined();
  expect(node.users.sessionUser('made-up')).toBeUndefined();
});

test('a new password closes the user\'s sessions', () => {
  node.users.add('alice', 'operator', 'alice password', 'root');
  const session = node.users.openSession('alice', 60_000);
  node.users.setPassword('alice', 'a new password', 'alice');
  expect(node.users.sessionUser(session.token)).toBeUndefined();
  expect(node.users.verify('alice', 'a new password')).toBeDefined();
});
