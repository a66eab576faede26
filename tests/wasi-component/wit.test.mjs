// The component is valid and says what wasi/wit/ says: `jco wit` (wasm-tools component wit)
// prints its world, whose exports must be world.wit's; the TypeScript that jco generates for
// the exported interfaces from the component must equal what it generates from wasi/wit/
// (doc comments aside: the component carries no docs), which compares every type, resource,
// function and enum case of the four wasi:nn interfaces.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT, VARIANTS, jco, requireComponent, transpile, variantTestOptions } from './component.mjs';

const WIT_DIR = join(ROOT, 'wasi/wit');

const exportsOf = (wit) => [...wit.matchAll(/^\s*export\s+([^;]+);/gm)].map((m) => m[1].trim()).sort();
const importsOf = (wit) => [...wit.matchAll(/^\s*import\s+([^;]+);/gm)].map((m) => m[1].trim()).sort();

for (const variant of VARIANTS) {
  test(`${variant.name}: jco wit: the component exports exactly the world of wasi/wit/world.wit`, variantTestOptions(variant), () => {
    const printed = jco(['wit', requireComponent(variant)]);
    const source = readFileSync(join(WIT_DIR, 'world.wit'), 'utf8');
    assert.deepEqual(exportsOf(printed), exportsOf(source));
    assert.equal(exportsOf(printed).length, 4);
    // Its only imports are the WASI preview2 interfaces that jco's preview1 adapter needs.
    for (const name of importsOf(printed)) assert.match(name, /^wasi:(io|cli|clocks|filesystem|random)\//, name);
  });
}

// jco's type generator, run on the WIT folder. jco 1.35's CLI cannot read WIT files (its
// WASI shim starts without preopened folders; see wasi/jco-embed.mjs), so preopen it here.
async function typesFromWit() {
  const require = createRequire(join(ROOT, 'package.json'));
  const entry = require.resolve('@bytecodealliance/jco-transpile');
  const shim = createRequire(entry).resolve('@bytecodealliance/preview2-shim/filesystem');
  const { _setPreopens } = await import(pathToFileURL(shim).href);
  const { generateHostTypes } = await import(pathToFileURL(entry).href);
  _setPreopens({ [WIT_DIR]: WIT_DIR });
  return generateHostTypes(WIT_DIR, { worldName: 'wisp-nn', name: 'wisp-nn', instantiation: 'async' });
}

const normalise = (ts) => ts.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').replace(/\s+/g, ' ').trim();

for (const variant of VARIANTS) {
  test(`${variant.name}: the interfaces in the component equal wasi/wit (jco-generated types compared)`, variantTestOptions(variant), async () => {
    const fromWit = await typesFromWit();
    const dir = transpile(variant);
    const interfaces = Object.keys(fromWit).filter((f) => f.startsWith('interfaces/wasi-nn-'));
    assert.deepEqual(interfaces.sort(), ['errors', 'graph', 'inference', 'tensor'].map((i) => `interfaces/wasi-nn-${i}.d.ts`));
    for (const file of interfaces) {
      const expected = normalise(Buffer.from(fromWit[file]).toString());
      const actual = normalise(readFileSync(join(dir, file), 'utf8'));
      assert.equal(actual, expected, file);
    }
  });
}
