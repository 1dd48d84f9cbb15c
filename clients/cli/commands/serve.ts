/** `corral serve`: the server itself (src/main.ts), with a few flags over the environment. */
import { intOption, parse } from '../lib/args.js';
import type { Command } from '../lib/command.js';

export const serveCommand: Command = {
  summary: 'run the Corral server',
  help: `Usage: corral serve [--port N] [--host ADDR] [--data-dir DIR]

Runs the Corral server (GraphQL API, GraphiQL and the dashboard). Configuration comes from the
environment (PORT, CORRAL_HOST, DATABASE_URL, CORRAL_DATA_DIR, CORRAL_ADMIN_PASSWORD …);
these flags override it.

Options:
  --port N         listen port (default 4000)
  --host ADDR      listen address (default 127.0.0.1)
  --data-dir DIR   where the embedded database and keys live (default ./.corral)

Examples:
  corral serve
  CORRAL_ADMIN_PASSWORD=change-me corral serve --port 8080 --host 0.0.0.0`,
  async run(argv) {
    const { values } = parse(argv, { port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' } }, 'serve');
    const port = intOption(values.port, 'port', 'serve');
    const { serve } = await import('../../../src/main.js');
    await serve({
      ...(port !== undefined ? { port } : {}),
      ...(values.host ? { host: values.host } : {}),
      ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    });
    // The server keeps running until SIGINT/SIGTERM (handled by serve()); never return an exit code.
    return new Promise<never>(() => {});
  },
};
