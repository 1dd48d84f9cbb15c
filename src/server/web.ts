/** Serves the built dashboard (clients/web/dist) at /, or a page that says how to build it. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>Corral</title><style>body{font:16px system-ui;margin:3rem;max-width:40rem;color:#222}code{background:#eee;padding:2px 4px}</style></head>
<body><h1>Corral is running</h1><p>The web dashboard has not been built yet. Build it with</p>
<pre><code>npm run build:web</code></pre><p>and reload this page. Meanwhile, GraphiQL is at <a href="/graphql">/graphql</a>,
health at <a href="/healthz">/healthz</a> and metrics at <a href="/metrics">/metrics</a>.</p></body></html>`;

export function serveWeb(dir: string, pathname: string, res: ServerResponse): void {
  const root = resolve(dir);
  const index = join(root, 'index.html');
  if (!existsSync(index)) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(NOT_BUILT);
    return;
  }
  const candidate = normalize(join(root, decodeURIComponent(pathname)));
  const inside = candidate.startsWith(`${root}/`) && existsSync(candidate) && statSync(candidate).isFile();
  // Unknown paths fall back to index.html: the dashboard routes on the client.
  const file = inside ? candidate : index;
  const immutable = inside && file.includes('/assets/');
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(readFileSync(file));
}
