// wasi/jco-fix-dispose.mjs on a reduced copy of the code jco 1.35 generates to lift a
// list<own<resource>>: without the fix every element's dispose() frees the last handle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixDisposeClosures } from '../../wasi/jco-fix-dispose.mjs';

const GENERATED = `
  const dropped = [];
  const result9 = [];
  for (let i = 0; i < 3; i++) {
    var handle8 = 10 + i;
    var rsc7 = {};
    Object.defineProperty(rsc7, symbolDispose, { writable: true, value: function () {
      dropped.push(handle8);
      rsc7[symbolDispose] = emptyFunc;
    }});
    result9.push(rsc7);
  }
  for (const r of result9) r[symbolDispose]();
  return dropped;`;

const evaluate = (source) => new Function('symbolDispose', 'emptyFunc', source)(Symbol('dispose'), () => {});

test('jco-fix-dispose: each element of a lifted list disposes its own handle', () => {
  assert.deepEqual(evaluate(GENERATED), [12, 12], 'the bug: every dispose() frees the last handle');
  const { source, count } = fixDisposeClosures(GENERATED);
  assert.equal(count, 1);
  assert.match(source, /value: \(\([\w, ]+\) => function \(\) \{/);
  assert.deepEqual(evaluate(source), [10, 11, 12]);
});

test('jco-fix-dispose: code without such closures is left as it is', () => {
  const plain = 'const a = { b: function () { return 1; } };';
  assert.deepEqual(fixDisposeClosures(plain), { source: plain, count: 0 });
});
