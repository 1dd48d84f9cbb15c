/** `corral users …`: accounts and their role grants (admins). */
import { enumArg, FORMAT_OPTIONS, list, parse, requireArg } from '../lib/args.js';
import { unwrap } from '../lib/api.js';
import { api, type Command, type Context, output } from '../lib/command.js';
import { UsageError } from '../lib/exit-codes.js';
import { askHidden, interactive, readStdin } from '../lib/prompt.js';

interface User {
  username: string;
  role: string | null;
  disabled: boolean;
  createdAt: string;
  grants: { role: string; group: string | null }[];
}
const USER_FIELDS = 'username role disabled createdAt grants { role group }';
const ROLES = ['viewer', 'operator', 'admin'];
const grantsText = (u: User) => u.grants.map((g) => `${g.role.toLowerCase()}${g.group ? `@${g.group}` : ''}`).join(',');

async function setDisabled(argv: string[], ctx: Context, disabled: boolean): Promise<undefined> {
  const command = disabled ? 'users disable' : 'users enable';
  const { values, positionals } = parse(argv, { ...FORMAT_OPTIONS }, command);
  const username = requireArg(positionals[0], 'USERNAME', command);
  const data = await api(values, ctx).request(
    `mutation($u: String!, $d: Boolean!) { setUserDisabled(username: $u, disabled: $d) { __typename ... on UserPayload { user { ${USER_FIELDS} } } ... on Error { message } } }`,
    { u: username, d: disabled },
  );
  const r = unwrap(data.setUserDisabled, `cannot change ${username}`) as { user: User };
  const out = output(values, ctx, command);
  if (out.format === 'json') out.json(r.user);
  else out.line(`${disabled ? 'Disabled' : 'Enabled'} ${username}${disabled ? ' (all their tokens are revoked)' : ''}`);
  return undefined;
}

export const usersCommand: Command = {
  summary: 'manage users and their grants',
  help: `Usage: corral users SUBCOMMAND …

Users hold one role (viewer < operator < admin), everywhere or within groups.`,
  subcommands: {
    list: {
      summary: 'list users',
      help: `Usage: corral users list [--json | --csv]

Examples:
  corral users list`,
      async run(argv, ctx) {
        const { values } = parse(argv, { ...FORMAT_OPTIONS }, 'users list');
        const data = await api(values, ctx).request<{ users: User[] }>(`{ users { ${USER_FIELDS} } }`);
        output(values, ctx, 'users list').table(
          [
            { header: 'USERNAME', value: (u) => u.username },
            { header: 'ROLE', value: (u) => u.role?.toLowerCase() ?? '-' },
            { header: 'GRANTS', value: grantsText },
            { header: 'DISABLED', value: (u) => u.disabled, colour: (u) => (u.disabled ? 'red' : undefined) },
          ],
          data.users,
        );
      },
    },
    add: {
      summary: 'create a user',
      help: `Usage: corral users add USERNAME --role viewer|operator|admin [--group G]… [--password-stdin]

Asks for the password on a terminal; scripts pipe it with --password-stdin.

Options:
  --role ROLE          viewer, operator or admin
  -g, --group G        scope the role to these groups (repeatable; default everywhere)
  --password-stdin     read the password from standard input

Examples:
  corral users add alice --role operator --group render
  echo "$PW" | corral users add ci --role viewer --password-stdin`,
      async run(argv, ctx) {
        const { values, positionals } = parse(
          argv,
          { ...FORMAT_OPTIONS, role: { type: 'string' }, group: { type: 'string', short: 'g', multiple: true }, 'password-stdin': { type: 'boolean' } },
          'users add',
        );
        const username = requireArg(positionals[0], 'USERNAME', 'users add');
        const role = enumArg(values.role, ROLES, '--role', 'users add');
        let password: string;
        if (values['password-stdin']) password = (await readStdin()).replace(/\r?\n$/, '');
        else if (interactive()) password = await askHidden(`Password for ${username}: `);
        else throw new UsageError('no password: use --password-stdin (no terminal to ask on)', 'users add');
        const data = await api(values, ctx).request(
          `mutation($i: CreateUserInput!) { createUser(input: $i) { __typename ... on UserPayload { user { ${USER_FIELDS} } } ... on Error { message } } }`,
          { i: { username, password, role, groups: list(values.group) } },
        );
        const r = unwrap(data.createUser, `cannot create ${username}`) as { user: User };
        const out = output(values, ctx, 'users add');
        if (out.format === 'json') out.json(r.user);
        else out.line(`Created ${r.user.username} (${grantsText(r.user)})`);
      },
    },
    grant: {
      summary: "replace a user's role (and group scope)",
      help: `Usage: corral users grant USERNAME --role viewer|operator|admin|none [--group G]…

Examples:
  corral users grant alice --role admin
  corral users grant bob --role operator --group render --group batch
  corral users grant carol --role none`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, { ...FORMAT_OPTIONS, role: { type: 'string' }, group: { type: 'string', short: 'g', multiple: true } }, 'users grant');
        const username = requireArg(positionals[0], 'USERNAME', 'users grant');
        const role = values.role?.toLowerCase() === 'none' ? null : enumArg(values.role, [...ROLES, 'none'], '--role', 'users grant');
        const data = await api(values, ctx).request(
          `mutation($u: String!, $r: Role, $g: [String!]) { setUserGrants(username: $u, role: $r, groups: $g) { __typename ... on UserPayload { user { ${USER_FIELDS} } } ... on Error { message } } }`,
          { u: username, r: role, g: list(values.group) },
        );
        const r = unwrap(data.setUserGrants, `cannot change ${username}`) as { user: User };
        const out = output(values, ctx, 'users grant');
        if (out.format === 'json') out.json(r.user);
        else out.line(`${username}: ${grantsText(r.user) || 'no role'}`);
      },
    },
    disable: {
      summary: 'disable a user (revokes all their tokens)',
      help: `Usage: corral users disable USERNAME

Examples:
  corral users disable mallory`,
      run: (argv, ctx) => setDisabled(argv, ctx, true),
    },
    enable: {
      summary: 'enable a disabled user',
      help: `Usage: corral users enable USERNAME

Examples:
  corral users enable alice`,
      run: (argv, ctx) => setDisabled(argv, ctx, false),
    },
  },
};
