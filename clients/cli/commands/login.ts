/** `corral login`: exchanges a username and password (or an API token) for a saved token (config file, 0600). */
import { parse } from '../lib/args.js';
import { api, type Command, output } from '../lib/command.js';
import { readConfig, writeConfig } from '../lib/config.js';
import { CliError, UsageError } from '../lib/exit-codes.js';
import { ask, askHidden, interactive, readStdin } from '../lib/prompt.js';
import { unwrap } from '../lib/api.js';

export const loginCommand: Command = {
  summary: 'log in and save a token in your config dir',
  help: `Usage: corral login [--username USER] [--password-stdin | --with-token]

Logs in to the server and saves the session token in $XDG_CONFIG_HOME/corral/config.json
(or ~/.config/corral/config.json), readable only by you (mode 0600). Later commands use it
unless --token or CORRAL_TOKEN is given. On a terminal it asks for what is missing.

Options:
  -u, --username USER   the user to log in as
  --password-stdin      read the password from standard input (for scripts)
  --with-token          save an API token read from standard input instead of logging in

Environment: CORRAL_PASSWORD is used as the password when set.

Examples:
  corral login --url http://corral.example:4000
  echo "$PASSWORD" | corral login -u admin --password-stdin
  corral tokens create ci --role viewer --json | jq -r .token | corral login --with-token`,
  async run(argv, ctx) {
    const { values } = parse(
      argv,
      { username: { type: 'string', short: 'u' }, 'password-stdin': { type: 'boolean' }, 'with-token': { type: 'boolean' } },
      'login',
    );
    const client = api({ ...values, token: undefined }, ctx);
    const out = output(values, ctx, 'login');
    const url = client.url;
    const previous = readConfig(ctx.env);

    if (values['with-token']) {
      const token = (await readStdin()).trim();
      if (!token) throw new UsageError('no token on standard input', 'login');
      const checked = api({ url, token }, ctx);
      const data = await checked.request<{ viewer: { username: string } | null }>('{ viewer { username } }');
      const path = writeConfig({ ...previous, url, token, username: data.viewer?.username, expiresAt: undefined }, ctx.env);
      out.line(`Saved the token for ${url}${data.viewer ? ` (user ${data.viewer.username})` : ''} in ${path}`);
      return;
    }

    let username = values.username;
    if (!username) {
      if (!interactive()) throw new UsageError('give --username (no terminal to ask on)', 'login');
      username = (await ask('Username: ')).trim();
      if (!username) throw new UsageError('a username is required', 'login');
    }
    let password: string;
    if (values['password-stdin']) password = (await readStdin()).replace(/\r?\n$/, '');
    else if (ctx.env.CORRAL_PASSWORD) password = ctx.env.CORRAL_PASSWORD;
    else if (interactive()) password = await askHidden(`Password for ${username}: `);
    else throw new UsageError('no password: use --password-stdin or CORRAL_PASSWORD (no terminal to ask on)', 'login');

    const data = await client.request<{
      login: { __typename: string; message?: string; token?: string; expiresAt?: string; user?: { username: string; role: string | null } };
    }>(
      `mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
        __typename ... on LoginSuccess { token expiresAt user { username role } } ... on Error { message } } }`,
      { u: username, p: password },
    );
    const ok = unwrap(data.login, 'login failed');
    if (!ok.token) throw new CliError('login failed: the server sent no token');
    const path = writeConfig({ url, token: ok.token, username: ok.user?.username ?? username, expiresAt: ok.expiresAt }, ctx.env);
    if (out.format === 'json') out.json({ url, username: ok.user?.username, role: ok.user?.role, expiresAt: ok.expiresAt, configPath: path });
    else out.line(`Logged in to ${url} as ${ok.user?.username ?? username}${ok.user?.role ? ` (${ok.user.role})` : ''}; token saved in ${path}`);
  },
};
