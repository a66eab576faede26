#!/usr/bin/env node
// `node wasi/jco-embed.mjs CORE.wasm WIT-DIR WORLD OUT.wasm`: what `jco embed --wit WIT-DIR
// --world-name WORLD` does, through jco's own API. The CLI cannot be used as it is: jco 1.35
// runs wasm-tools as a component on @bytecodealliance/preview2-shim 0.26, whose file system
// starts with no preopened folder, so `--wit PATH` fails with "No such file or directory".
// Here the WIT folder alone is preopened (read only in effect: embed only reads it).
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [core, witDir, world, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node wasi/jco-embed.mjs CORE.wasm WIT-DIR WORLD OUT.wasm');
  process.exit(2);
}
// The preview2-shim instance that jco-transpile's wasm-tools component uses.
const require = createRequire(import.meta.url);
const transpileEntry = require.resolve('@bytecodealliance/jco-transpile/wasm-tools');
const shimPath = createRequire(transpileEntry).resolve('@bytecodealliance/preview2-shim/filesystem');
const { _setPreopens } = await import(pathToFileURL(shimPath).href);
const { componentEmbed } = await import(pathToFileURL(transpileEntry).href);

const witAbs = path.resolve(witDir);
_setPreopens({ [witAbs]: witAbs });
const binary = await readFile(core);
const embedded = await componentEmbed({ binary, witPath: witAbs, world });
await writeFile(out, embedded);
