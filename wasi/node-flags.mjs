// The V8 flags wasi/run-wasi.mjs needs from the Node process that runs it (it starts itself
// again with them when they are missing). Test harnesses that spawn the runner many times pass
// them up front, which saves that second start: runnerCommand() is the command to spawn.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

//  - --no-incremental-marking: Node 20's V8 can abort ("Fatal error ... unreachable code" in
//    MarkCompactCollector) when a garbage collection with incremental marking runs while a
//    large wasm memory grows; seen with `wisp ocr`.
//  - --experimental-wasm-relaxed-simd: the relaxed-SIMD builds (build/wasi/wisp-relaxed.wasm)
//    need it on Node 20 (V8 11.3); it is on by default from V8 11.4 (Node 21).
export const WASI_NODE_FLAGS = ['--no-incremental-marking'];
if (Number(process.versions.node.split('.')[0]) < 21) WASI_NODE_FLAGS.push('--experimental-wasm-relaxed-simd');

export const WASI_RUNNER = join(fileURLToPath(new URL('.', import.meta.url)), 'run-wasi.mjs');

// [node, ...flags, run-wasi.mjs]: prepend to the module and its arguments.
export function runnerCommand() {
  return [process.execPath, ...WASI_NODE_FLAGS, WASI_RUNNER];
}
