/** Baseline: PGlite alone on CORRAL_DATA_DIR/pgdata, answering /healthz (SELECT 1) and /graphql with static JSON. */
import { createServer } from 'node:http';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const db = await PGlite.create({ dataDir: join(process.env.CORRAL_DATA_DIR!, 'pgdata') });
const server = createServer((req, res) => {
  db.query('SELECT 1').then(
    () => res.writeHead(200, { 'content-type': 'application/json' }).end(req.url === '/healthz' ? '{"status":"ok"}' : '{"data":{"__typename":"Query"}}'),
    () => res.writeHead(503).end(),
  );
});
server.listen(Number(process.env.PORT), '127.0.0.1');
const stop = () => server.close(() => void db.close().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
