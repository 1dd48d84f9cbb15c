'use strict';
// `npm start` runs this: it loads dist/corral.cjs (scripts/build-server.mjs) through vm.Script with
// a V8 code cache beside it, because Node 20 has no compile cache for modules and compiling the
// ~4 MB bundle was most of Corral's start-up. The server asks for the cache to be written once it
// has answered its first requests (so the cache holds the functions start-up needs); V8 rejects a
// cache that does not match the bundle or this node, and it is then rewritten.
// A server: graphql-js and yoga take their production paths (graphql-js's development mode does
// extra work in every type check of every field it executes).
process.env.NODE_ENV ??= 'production';
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');

const file = join(__dirname, '..', 'dist', 'corral.cjs');
const cacheFile = `${file}.v8cache`;
const bytes = readFileSync(file);
// The bundle is built without comments, so it is ASCII: read as latin1 it is the same text, without
// UTF-8 decoding (a third of the time for 3 MB); anything else is decoded as UTF-8.
const source = require('node:buffer').isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(Module.wrap(source), {
  filename: file,
  cachedData,
});
let wanted = cachedData === undefined || script.cachedDataRejected === true;
globalThis[Symbol.for('corral.writeCodeCache')] = () => {
  if (!wanted) return;
  wanted = false;
  try {
    writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
    renameSync(`${cacheFile}.tmp`, cacheFile);
  } catch {
    // A read-only install just starts a little slower.
  }
};
const bundle = new Module(file, module);
bundle.filename = file;
bundle.paths = Module._nodeModulePaths(dirname(file));
script.runInThisContext()(bundle.exports, Module.createRequire(file), bundle, file, dirname(file));
