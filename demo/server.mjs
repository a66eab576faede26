#!/usr/bin/env node
// A small static server for the Wisp browser demos (no dependencies).
//
//   node demo/server.mjs [--port N] [--host H] [--no-isolation] [--wisp-dir DIR]
//
// Serves   /           demo/ (index page, demos, shared lib/)
//          /wisp/      the web package (default build/web/dist: wisp.mjs + wasm)
//          /models/    node_modules/ (the OCR and VAD models of the dev dependencies)
// Every response carries COOP `same-origin` + COEP `require-corp` (cross-origin isolation, which
// threads need for SharedArrayBuffer) unless --no-isolation is given.
// --port 0 picks a free port. The URL is printed on the first line of stdout.

import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json',
  '.wasm': 'application/wasm', '.png': 'image/png', '.jpg': 'image/jpeg', '.svg': 'image/svg+xml',
  '.wav': 'audio/wav', '.txt': 'text/plain; charset=utf-8', '.onnx': 'application/octet-stream',
  '.wisp': 'application/octet-stream', '.ts': 'text/plain; charset=utf-8',
};

/**
 * Starts the server; resolves to {server, url, close()}. `mounts`: more [urlPrefix, folder]
 * pairs served before the demos (the benchmark page serves the repository this way).
 */
export function startServer({ port = 8080, host = '127.0.0.1', isolation = true, wispDir = join(ROOT, 'build/web/dist'), mounts: extra = [] } = {}) {
  const mounts = [
    ...extra.map(([prefix, dir]) => [prefix, resolve(dir)]),
    ['/wisp/', resolve(wispDir)],
    ['/models/', join(ROOT, 'node_modules')],
    ['/', join(ROOT, 'demo')],
  ];
  const server = createServer((req, res) => {
    const headers = { 'Cache-Control': 'no-store', 'Cross-Origin-Resource-Policy': 'same-origin' };
    if (isolation) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    const fail = (status, text) => {
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(text + '\n');
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'method not allowed');
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return fail(400, 'bad URL');
    }
    // Browsers ask for an icon on every page; no content rather than a 404 in the console.
    if (path === '/favicon.ico') {
      res.writeHead(204, headers);
      return res.end();
    }
    const [prefix, dir] = mounts.find(([p]) => path.startsWith(p));
    let file = normalize(join(dir, path.slice(prefix.length)));
    if (file !== dir && !file.startsWith(dir + sep)) return fail(403, 'outside the served folders');
    let stat;
    try {
      stat = statSync(file);
      if (stat.isDirectory()) {
        if (!path.endsWith('/')) {
          res.writeHead(301, { ...headers, Location: path + '/' });
          return res.end();
        }
        file = join(file, 'index.html');
        stat = statSync(file);
      }
    } catch {
      return fail(404, `not found: ${path}`);
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': stat.size });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const url = `http://${host}:${server.address().port}/`;
      resolvePromise({ server, url, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--port') options.port = Number(value());
    else if (a === '--host') options.host = value();
    else if (a === '--no-isolation') options.isolation = false;
    else if (a === '--wisp-dir') options.wispDir = resolve(value());
    else if (a === '--help' || a === '-h') options.help = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port < 65536)) {
    throw new Error('--port takes a number from 0 to 65535');
  }
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`demo/server.mjs: ${e.message}`);
    process.exit(2);
  }
  if (options.help) {
    console.log('usage: node demo/server.mjs [--port N (8080; 0 = any)] [--host H] [--no-isolation] [--wisp-dir DIR]');
    process.exit(0);
  }
  const wispDir = options.wispDir ?? join(ROOT, 'build/web/dist');
  try {
    statSync(join(wispDir, 'wisp.mjs'));
  } catch {
    console.error(`demo/server.mjs: warning: ${join(wispDir, 'wisp.mjs')} is missing (build it: cmake --preset web && cmake --build --preset web)`);
  }
  startServer(options).then(({ url }) => {
    console.log(url);
    console.log(`serving demo/ at ${url}, the Wisp package at ${url}wisp/, models at ${url}models/` +
      (options.isolation === false ? ' (cross-origin isolation off)' : ' (cross-origin isolated)'));
  }, (e) => {
    console.error(`demo/server.mjs: ${e.message}`);
    process.exit(1);
  });
}
