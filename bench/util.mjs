// Small helpers shared by the benchmark's runtimes.

/** The median, as `wisp bench` computes it (the mean of the two middle values for an even count). */
export const medianOf = (xs) => {
  const s = [...xs].sort((a, b) => a - b), n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** `promise`, or a rejection naming `what` after `ms` (calling `onTimeout` first). */
export function withTimeout(promise, ms, what, onTimeout = () => {}) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => { onTimeout(); reject(new Error(`${what}: no answer after ${ms / 1000} s`)); }, ms);
    }),
  ]);
}

/**
 * One batch of a JS-hosted runtime: warm-up runs, then `runs` timed ones -> [ms...]. The
 * warm-up lasts at least `warmup.runs` runs and `warmup.ms` milliseconds: WebAssembly engines
 * compile hot functions again with their optimizing tier while a model runs (V8's dynamic
 * tiering), so a small model's first hundreds of runs are slower and spiky (Silero VAD in a
 * fresh Node process: 2-18 ms spikes among 0.5 ms runs). Used in Node and in the browser page.
 */
export async function timeBatch(run, { warmup, runs }) {
  const { runs: warmupRuns = 1, ms: warmupMs = 0 } = typeof warmup === 'number' ? { runs: warmup } : warmup;
  const start = performance.now();
  for (let i = 0; i < warmupRuns || performance.now() - start < warmupMs; ++i) await run();
  const times = [];
  for (let i = 0; i < runs; ++i) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return times;
}
