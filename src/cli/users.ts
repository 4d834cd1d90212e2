/**
 * `chiso user …` and `chiso token …`: accounts from the command line (the first administrator of an
 * installation, machine accounts, recovery). The command line acts as the system: it has the
 * database in hand, so no role check applies; every write is audited with actor 'cli'.
 */
import { parseArgs } from 'node:util';
import { grantRole, ROLE_NAMES, type RoleName } from '../app/auth/grants.ts';
import { createApiToken, revokeApiToken } from '../app/auth/tokens.ts';
import {
  type Actor,
  createUser,
  grantsOfUsers,
  listUsers,
  setPassword,
  unlockUser,
} from '../app/auth/users.ts';
import { ChisoError } from '../core/errors.ts';
import type { Store } from '../store/db.ts';

export const USERS_HELP = `  user add USERNAME [--role ROLE --unit CODE|/] [--password-stdin] [--name NAME] [--email EMAIL]
                                create an account (ROLE: admin, reviewer, reporter, viewer; unit '/' = every unit)
  user grant USERNAME --role ROLE --unit CODE|/
                                grant a role on a unit's subtree
  user passwd USERNAME --password-stdin
                                set a password (ends the user's sessions)
  user unlock USERNAME          lift a login lockout
  user list                     list accounts with their roles
  token create USERNAME --name NAME [--expires-days N]
                                create an API token; printed once, stored hashed
  token revoke USERNAME ID      revoke an API token
`;

const CLI_ACTOR: Actor = { userId: null, username: 'cli' };

const usage = (what: string): ChisoError =>
  new ChisoError({
    code: 'cli.usage',
    vi: `Lệnh chưa đủ hoặc sai: ${what}.`,
    en: `Incomplete or wrong command: ${what}.`,
  });

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function roleAndUnit(values: { role?: string | boolean; unit?: string | boolean }): {
  role: RoleName;
  org_unit: string | null;
} | null {
  if (values.role === undefined && values.unit === undefined) return null;
  if (typeof values.role !== 'string' || !ROLE_NAMES.includes(values.role as RoleName)) {
    throw usage(`--role must be one of ${ROLE_NAMES.join(', ')}`);
  }
  if (typeof values.unit !== 'string' || !values.unit)
    throw usage("--unit CODE (or '/' for every unit) is required with --role");
  return {
    role: values.role as RoleName,
    org_unit: values.unit === '/' || values.unit === '*' ? null : values.unit,
  };
}

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  out: (line: string) => void;
}

/** Runs `user …` / `token …`; returns the exit code. */
export async function usersCli(
  store: Store,
  argv: string[],
  io: CliIo = { stdin: process.stdin, out: (l) => console.log(l) },
): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      role: { type: 'string' },
      unit: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      name: { type: 'string' },
      email: { type: 'string' },
      'expires-days': { type: 'string' },
    },
  });
  const [cmd, sub, username, extra] = positionals;
  const db = store.db;
  if (cmd === 'user' && sub === 'list') {
    const r = await listUsers(
      db,
      { scopeRoots: ['/'], includeUngranted: true },
      { limit: 100000, offset: 0 },
      new Date(),
    );
    for (const u of r.items) {
      const grants = u.grants.map((g) => `${g.role}@${g.org_unit ?? '/'}`).join(' ') || '-';
      io.out(
        `${u.username}\t${u.disabled ? 'disabled' : u.locked ? 'locked' : 'active'}\t${grants}\t${u.display_name}`,
      );
    }
    return 0;
  }
  if (!username) throw usage(`${cmd ?? ''} ${sub ?? ''} needs a USERNAME`);
  if (cmd === 'user' && sub === 'add') {
    const grant = roleAndUnit(values);
    const password = values['password-stdin'] ? await readStdin(io.stdin) : null;
    const u = await db.transaction(async (tx) => {
      const created = await createUser(tx, CLI_ACTOR, {
        username,
        display_name: values.name ?? null,
        email: values.email ?? null,
        password,
      });
      if (grant) await grantRole(tx, CLI_ACTOR, created.username, grant);
      return created;
    });
    const grants = (await grantsOfUsers(db, [u.id])).get(u.id) ?? [];
    io.out(
      `user '${u.username}' created${grants.length ? ` with ${grants.map((g) => `${g.role} on ${g.org_unit ?? 'every unit'}`).join(', ')}` : ' without roles'}${password ? '' : ' (no password: set one with `chiso user passwd`, or sign in through SSO)'}`,
    );
    return 0;
  }
  if (cmd === 'user' && sub === 'grant') {
    const grant = roleAndUnit(values);
    if (!grant) throw usage('--role and --unit are required');
    const g = await db.transaction((tx) => grantRole(tx, CLI_ACTOR, username, grant));
    io.out(
      `${g.created ? 'granted' : 'already held'}: ${g.role} on ${g.org_unit ?? 'every unit'} to '${g.username}' (grant ${g.id})`,
    );
    return 0;
  }
  if (cmd === 'user' && sub === 'passwd') {
    if (!values['password-stdin'])
      throw usage('--password-stdin is required (the password is read from standard input)');
    const password = await readStdin(io.stdin);
    await db.transaction((tx) => setPassword(tx, CLI_ACTOR, username, password));
    io.out(`password of '${username.toLowerCase()}' set; their sessions were ended`);
    return 0;
  }
  if (cmd === 'user' && sub === 'unlock') {
    await db.transaction((tx) => unlockUser(tx, CLI_ACTOR, username, new Date()));
    io.out(`'${username.toLowerCase()}' unlocked`);
    return 0;
  }
  if (cmd === 'token' && sub === 'create') {
    if (!values.name) throw usage('--name is required');
    const days = values['expires-days'] === undefined ? null : Number(values['expires-days']);
    const t = await db.transaction((tx) =>
      createApiToken(tx, CLI_ACTOR, username, { name: values.name!, expires_in_days: days }, new Date()),
    );
    io.out(t.token);
    process.stderr.write(
      `API token ${t.id} '${t.name}' for '${t.username}'${t.expires_at ? `, expires ${t.expires_at}` : ''}. It is shown only now: store it safely.\n`,
    );
    return 0;
  }
  if (cmd === 'token' && sub === 'revoke') {
    const id = Number(extra);
    if (!Number.isInteger(id) || id <= 0) throw usage('token revoke USERNAME ID');
    const t = await db.transaction((tx) => revokeApiToken(tx, CLI_ACTOR, username, id));
    io.out(`API token ${t.id} '${t.name}' of '${t.username}' revoked`);
    return 0;
  }
  throw usage(`${cmd} ${sub ?? ''}`);
}
