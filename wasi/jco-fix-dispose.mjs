#!/usr/bin/env node
// Works around a bug of jco's transpiled JavaScript (seen with jco 1.35 / jco-transpile 0.15):
// when a component returns a LIST of own<resource> (wasi-nn's compute() returns
// list<tuple<string, own<tensor>>>), the lifting loop declares the resource object and its
// handle with `var`, and each element's [Symbol.dispose] closure captures those function-scoped
// variables, so every element's dispose() frees the LAST element. Disposing output 0 then
// destroys output 1 (whose methods then throw "Resource error: Not a valid "Tensor" resource")
// and output 0 itself is never dropped until the garbage collector finalises it. Output 0 held
// the run's buffer pool alive, which is why the component's memory grew with each
// load/run/dispose cycle.
//
// The fix binds the values of the moment to each closure: every
//   Object.defineProperty(rscN, symbolDispose, { writable: true, value: function () { BODY }});
// becomes
//   Object.defineProperty(rscN, symbolDispose, { writable: true, value: ((rscN, handleM) => function () { BODY })(rscN, handleM)});
// where rscN/handleM are the generated variables BODY uses. Nothing else changes (the `var`s
// stay, so code after the loop that refers to them sees what it saw before).
//
//   node wasi/jco-fix-dispose.mjs OUT/wisp-nn.js     (after `jco transpile ... -o OUT`)
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const OPENING = /Object\.defineProperty\((\w+), symbolDispose, \{ writable: true, value: function \(\) \{/g;

// Index just past the `}` that closes the block whose `{` is at source[open - 1].
function blockEnd(source, open) {
  let depth = 1;
  for (let i = open; i < source.length; ++i) {
    if (source[i] === '{') ++depth;
    else if (source[i] === '}' && --depth === 0) return i + 1;
  }
  throw new Error('jco-fix-dispose: unbalanced braces after a symbolDispose closure');
}

// Returns { source, count }: the patched text and how many closures were rebound.
export function fixDisposeClosures(source) {
  let out = '', last = 0, count = 0;
  for (const match of source.matchAll(OPENING)) {
    const fnStart = match.index + match[0].length - 'function () {'.length;
    const bodyStart = match.index + match[0].length;
    const fnEnd = blockEnd(source, bodyStart);
    const fn = source.slice(fnStart, fnEnd);
    // The generated per-call variables the closure reads (rscN, handleN).
    const names = [...new Set(fn.match(/\b(?:rsc|handle)\d+\b/g) ?? [])];
    if (!names.includes(match[1])) names.unshift(match[1]);
    out += source.slice(last, fnStart) + `((${names.join(', ')}) => ${fn})(${names.join(', ')})`;
    last = fnEnd;
    ++count;
  }
  return { source: out + source.slice(last), count };
}

export function fixDisposeFile(path) {
  const { source, count } = fixDisposeClosures(readFileSync(path, 'utf8'));
  writeFileSync(path, source);
  return count;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const path = process.argv[2];
  if (!path) {
    process.stderr.write('usage: node wasi/jco-fix-dispose.mjs TRANSPILED.js\n');
    process.exit(2);
  }
  const count = fixDisposeFile(path);
  process.stderr.write(`jco-fix-dispose: ${count} dispose closures rebound in ${path}\n`);
}
