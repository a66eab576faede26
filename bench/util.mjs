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
