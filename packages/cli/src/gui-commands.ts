import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { NodeError, openNode, USER_ROLES, type UserRole } from '@fedbiomed/node';
import { DEFAULT_GUI_PORT, startGui } from '@fedbiomed/node-gui';
import { Option, type Command } from 'commander';
import { withNode } from './with-node';

/**
 * Registers `fedbiomed node gui` (the web GUI, beside or without a running node) and
 * `fedbiomed node user …` (GUI users; the first admin is created here).
 */
export function registerGuiCommands(node: Command, dirOf: (command: Command) => string): void {
  node
    .command('gui')
    .description('serve the web GUI of this node (datasets, plan approvals, status, users); runs beside `node start`')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', String(DEFAULT_GUI_PORT))
    .option('--tls-cert <file>', 'certificate (PEM) to serve HTTPS')
    .option('--tls-key <file>', 'private key (PEM) of --tls-cert')
    .option('--allow-plain-http', 'allow a non-loopback --host without TLS (passwords travel in clear)')
    .action(async function (this: Command) {
      const o = this.opts<{ host: string; port: string; tlsCert?: string; tlsKey?: string; allowPlainHttp?: boolean }>();
      if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new NodeError('INVALID_ARGUMENT', '--tls-cert and --tls-key go together');
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new NodeError('INVALID_ARGUMENT', `--port ${o.port} is not a port number`);
      const dir = dirOf(this);
      const n = openNode(dir);
      try {
        const gui = await startGui(n, {
          host: o.host,
          port,
          ...(o.tlsCert !== undefined && o.tlsKey !== undefined && { tls: { cert: readPem(o.tlsCert, '--tls-cert'), key: readPem(o.tlsKey, '--tls-key') } }),
          ...(o.allowPlainHttp === true && { allowPlainHttp: true }),
        });
        console.log(`node GUI of ${n.config.nodeName} at ${gui.url}`);
        if (n.users.list().length === 0) {
          console.log(`no GUI user yet; create the first admin with: fedbiomed node --path ${dir} user add <name> --role admin`);
        }
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await gui.close();
      } finally {
        n.close();
      }
    });

  const user = node.command('user').description('users of the web GUI and their roles');
  const by = (command: Command): string => command.opts<{ by: string }>().by;

  user
    .command('add <name>')
    .description('create a GUI user; the password comes from --password-file, standard input, or a prompt')
    .addOption(new Option('--role <role>', 'what the user may do').choices(USER_ROLES).default('viewer'))
    .option('--password-file <file>', 'read the password from this file (first line)')
    .option('--by <operator>', 'who creates the user, for the audit table', userInfo().username)
    .action(async function (this: Command, name: string) {
      const o = this.opts<{ role: UserRole; passwordFile?: string }>();
      const password = await readPassword(o.passwordFile);
      withNode(dirOf(this), (n) => {
        const record = n.users.add(name, o.role, password, by(this));
        console.log(`added GUI user ${record.name} (${record.role})`);
      });
    });

  user
    .command('list')
    .description('the GUI users and their roles')
    .action(function (this: Command) {
      withNode(dirOf(this), (n) => {
        const users = n.users.list();
        if (users.length === 0) console.log('(none)');
        for (const u of users) console.log(`${u.name}\t${u.role}\t${u.createdAt}`);
      });
    });

  user
    .command('role <name> <role>')
    .description(`change a user's role (${USER_ROLES.join(', ')})`)
    .option('--by <operator>', 'who changes it, for the audit table', userInfo().username)
    .action(function (this: Command, name: string, role: string) {
      withNode(dirOf(this), (n) => {
        const record = n.users.setRole(name, role as UserRole, by(this));
        console.log(`${record.name} is now ${record.role}`);
      });
    });

  user
    .command('remove <name>')
    .description('remove a GUI user and close their sessions')
    .option('--by <operator>', 'who removes them, for the audit table', userInfo().username)
    .action(function (this: Command, name: string) {
      withNode(dirOf(this), (n) => {
        n.users.remove(name, by(this));
        console.log(`removed GUI user ${name}`);
      });
    });
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new NodeError('INVALID_ARGUMENT', `${flag} ${file} cannot be read: ${(error as Error).message}`);
  }
}

/** The password from a file, from piped standard input, or typed twice at a hidden prompt. */
async function readPassword(file: string | undefined): Promise<string> {
  if (file !== undefined) {
    try {
      return (readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '');
    } catch (error) {
      throw new NodeError('INVALID_ARGUMENT', `--password-file ${file} cannot be read: ${(error as Error).message}`);
    }
  }
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '');
  }
  const first = await hiddenPrompt('Password: ');
  const second = await hiddenPrompt('Password again: ');
  if (first !== second) throw new NodeError('INVALID_ARGUMENT', 'the two passwords differ');
  return first;
}

async function hiddenPrompt(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const { Writable } = await import('node:stream');
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  process.stdout.write(question);
  muted = true;
  try {
    return await rl.question('');
  } finally {
    rl.close();
    process.stdout.write('\n');
  }
}
