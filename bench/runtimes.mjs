// The parent's side of each runtime in bench/compare.mjs. Every runtime runs in processes of
// its own: `start()` readies one (model, thread count), `batch(warmup, runs)` times a batch
// of runs there, `close()` ends it. A batch resolves to {median, min, load, info?} (ms), or
// throws; `start()` resolves to {unsupported} when the runtime cannot use that many threads.
import { fork, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NATIVE_CLI } from '../tests/models/targets.mjs';
import { BROWSER_RUNTIMES, BrowserRuntime } from './browser_runtimes.mjs';
import { WEB_MODULE } from './js_runtimes.mjs';
import { medianOf, withTimeout } from './util.mjs';

const RUNNER = new URL('./runner.mjs', import.meta.url).pathname;

export const RUNTIMES = {
  wisp: { label: 'Wisp', what: `Wisp native CLI (${NATIVE_CLI})`, available: () => existsSync(NATIVE_CLI) },
  ort: { label: 'ORT', what: 'onnxruntime-node', available: () => true },
  'wisp-wasm': { label: 'Wisp-wasm', what: `Wisp web build in Node (${WEB_MODULE})`, available: () => existsSync(WEB_MODULE) },
  'ort-web': { label: 'ORT-web', what: 'onnxruntime-web (wasm) in Node', available: () => true },
  ...BROWSER_RUNTIMES,
};

// Node 20 hides relaxed SIMD behind a flag that browsers (Chrome >= 114) no longer need; giving
// it to both wasm runtimes lets a build that feature-tests for it use it, as in a browser.
const WASM_NODE_FLAGS = ['--experimental-wasm-relaxed-simd'];


// The Wisp CLI: one `wisp bench` process per batch (it loads the model each time; its load
// time is reported apart from the run times).
class NativeWisp {
  constructor(model, inputs, threads, timeoutMs) {
    Object.assign(this, { model, inputs, threads, timeoutMs });
  }

  async start() { return {}; }

  batch(warmup, runs) {
    const args = ['bench', this.model.path, ...Object.entries(this.inputs).flatMap(([k, f]) => ['--input', `${k}=${f}`]),
      '--threads', String(this.threads), '--runs', String(runs), '--warmup', String(warmup.runs), '--json'];
    const child = spawn(NATIVE_CLI, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const done = new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (code !== 0) return reject(new Error(`wisp bench exited ${code ?? signal}: ${(err || out).trim().split('\n').pop()}`));
        try {
          const j = JSON.parse(out);
          resolve({ median: j.median_ms, min: j.min_ms, load: j.load_ms });
        } catch (e) {
          reject(new Error(`wisp bench printed no JSON: ${out.slice(0, 200)}`));
        }
      });
    });
    return withTimeout(done, this.timeoutMs, 'wisp bench', () => child.kill('SIGKILL'));
  }

  async close() {}
}

// A Node runtime: one bench/runner.mjs child for the whole (model, threads) pair.
class NodeRuntime {
  constructor(name, model, inputsFile, threads, timeoutMs) {
    Object.assign(this, { name, model, inputsFile, threads, timeoutMs });
    this.pending = null;
  }

  #next(what) {
    return withTimeout(new Promise((resolve, reject) => { this.pending = { resolve, reject }; }),
      this.timeoutMs, `${this.name} ${what}`, () => this.child.kill('SIGKILL'));
  }

  async start() {
    const execArgv = this.name === 'ort' ? [] : WASM_NODE_FLAGS;
    this.child = fork(RUNNER, [this.name, this.model.path, this.inputsFile, String(this.threads)],
      { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.stderr = '';
    this.child.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-2000); });
    // A send on a channel the child already closed emits 'error'; the exit handler reports it.
    this.child.on('error', () => {});
    this.child.on('message', (msg) => { const p = this.pending; this.pending = null; p?.resolve(msg); });
    this.child.on('exit', (code, signal) => {
      const p = this.pending; this.pending = null;
      const last = this.stderr.trim().split('\n').filter(Boolean).pop() ?? '';
      p?.reject(new Error(`${this.name} process exited (${code ?? signal}) ${last}`.trim()));
    });
    const msg = await this.#next('load');
    if (msg.error) throw new Error(msg.error);
    if (msg.unsupported) return { unsupported: msg.unsupported };
    this.loadMs = msg.load_ms;
    this.info = msg.info;
    return {};
  }

  async batch(warmup, runs) {
    const answer = this.#next('batch');
    this.child.send({ batch: { warmup, runs } });
    const msg = await answer;
    if (msg.error) throw new Error(msg.error);
    return { median: medianOf(msg.times), min: Math.min(...msg.times), load: this.loadMs, info: this.info };
  }

  async close() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    if (this.child.connected) this.child.send({ exit: true });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** A runtime instance for one model and thread count; inputs: {name: file}, inputsFile: their JSON. */
export function makeRuntime(name, model, inputs, inputsFile, threads, timeoutMs) {
  if (name === 'wisp') return new NativeWisp(model, inputs, threads, timeoutMs);
  if (BROWSER_RUNTIMES[name]) return new BrowserRuntime(name, model, inputs, threads, timeoutMs);
  return new NodeRuntime(name, model, inputsFile, threads, timeoutMs);
}

export { medianOf };
