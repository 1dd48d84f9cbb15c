/** `corral logout`: ends the session on the server and removes the token from the config file. */
import { parse } from '../lib/args.js';
import { api, type Command, output } from '../lib/command.js';
import { readConfig, writeConfig } from '../lib/config.js';

export const logoutCommand: Command = {
  summary: 'end the session and forget the saved token',
  help: `Usage: corral logout

Ends the saved session on the server (best effort) and removes the token from the config file.

Examples:
  corral logout`,
  async run(argv, ctx) {
    const { values } = parse(argv, {}, 'logout');
    const out = output(values, ctx, 'logout');
    const config = readConfig(ctx.env);
    if (!config.token) {
      out.line('Not logged in.');
      return;
    }
    try {
      await api({ url: config.url, token: config.token }, ctx).request('mutation { logout }');
    } catch {
      // The token may already be expired or the server gone; forgetting it locally is what matters.
    }
    const { token: _drop, expiresAt: _e, ...rest } = config;
    writeConfig(rest, ctx.env);
    out.line(`Logged out of ${config.url ?? 'the server'}.`);
  },
};
