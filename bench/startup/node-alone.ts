/** Reference: node + the tsx loader and nothing else, answering both probe paths. */
import { createServer } from 'node:http';

const server = createServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"__typename":"Query"}}'));
server.listen(Number(process.env.PORT), '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
