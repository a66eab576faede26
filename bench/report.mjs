// Turns bench/compare.mjs results into ratios and rates (summarize) and a text table.

const ratio = (a, b) => (a?.median_ms > 0 && b?.median_ms > 0 ? a.median_ms / b.median_ms : null);

/** row: {model, threads, work?: {unit, amount}, runtimes: {name: result}, error?} */
export function summarize({ model, threads, work, runtimes, error }) {
  const out = { model, threads, runtimes };
  if (error) out.error = error;
  out.wisp_over_ort = ratio(runtimes.wisp, runtimes.ort);
  out.wisp_wasm_over_ort_web = ratio(runtimes['wisp-wasm'], runtimes['ort-web']);
  out.wisp_chromium_over_ort_web_chromium = ratio(runtimes['wisp-chromium'], runtimes['ort-web-chromium']);
  if (work) {
    out.rate_unit = work.unit;
    // amount per ms / 1e6 = amount per s / 1e9 (GFLOP/s or GB/s).
    out.rates = Object.fromEntries(Object.entries(runtimes)
      .filter(([, r]) => r.median_ms > 0).map(([name, r]) => [name, work.amount / r.median_ms / 1e6]));
  }
  return out;
}

const COLUMNS = [
  ['Wisp', (s) => time(s, 'wisp')],
  ['ORT', (s) => time(s, 'ort')],
  ['Wisp/ORT', (s) => fixed(s.wisp_over_ort, 2)],
  ['Wisp-wasm', (s) => time(s, 'wisp-wasm')],
  ['ORT-web', (s) => time(s, 'ort-web')],
  ['Wisp-wasm/ORT-web', (s) => fixed(s.wisp_wasm_over_ort_web, 2)],
  ['Wisp-chrome', (s) => time(s, 'wisp-chromium'), 'wisp-chromium'],
  ['ORT-chrome', (s) => time(s, 'ort-web-chromium'), 'ort-web-chromium'],
  ['Wisp-chrome/ORT-chrome', (s) => fixed(s.wisp_chromium_over_ort_web_chromium, 2), 'wisp-chromium'],
];
const RATE_ORDER = [['wisp', 'Wisp'], ['ort', 'ORT'], ['wisp-wasm', 'Wisp-wasm'], ['ort-web', 'ORT-web'],
  ['wisp-chromium', 'Wisp-chrome'], ['ort-web-chromium', 'ORT-chrome']];

const fixed = (x, digits) => (x === null || x === undefined ? '-' : x.toFixed(digits));
// Three significant digits or more: 0.123, 1.23, 12.3, 123.
const ms = (x) => x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : x >= 1 ? 2 : 3);

function time(s, name) {
  const r = s.runtimes[name];
  if (!r || r.missing) return '-';
  if (r.unsupported) return 'n/a';
  if (r.error) return 'err';
  return ms(r.median_ms);
}

function rates(s, runtimeNames) {
  if (!s.rates) return '';
  const parts = RATE_ORDER.filter(([n]) => runtimeNames.includes(n)).map(([n]) => (s.rates[n] === undefined ? '-' : s.rates[n].toFixed(1)));
  return `${parts.join(' / ')} ${s.rate_unit}`;
}

/** Returns {text, notes}: an aligned Markdown table and one line per failure or n/a. */
export function formatTable(summary, runtimeNames) {
  const rateHead = `rate (${RATE_ORDER.filter(([n]) => runtimeNames.includes(n)).map(([, l]) => l).join(' / ')})`;
  // The Chromium columns only when a Chromium runtime was asked for.
  const columns = COLUMNS.filter(([, , needs]) => !needs || runtimeNames.some((n) => n.endsWith('-chromium')));
  const head = ['model', 'threads', ...columns.map(([h]) => h), rateHead];
  const body = summary.map((s) => [s.model, String(s.threads), ...columns.map(([, cell]) => cell(s)), rates(s, runtimeNames)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < 2 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const notes = [];
  const seen = new Set();
  for (const s of summary) {
    if (s.error) notes.push(`${s.model} x${s.threads}: ${s.error}`);
    for (const [name, r] of Object.entries(s.runtimes)) {
      const text = r.error ? `err: ${r.error}` : r.unsupported ? `n/a: ${r.unsupported}` : r.missing ? 'not built' : null;
      if (!text) continue;
      // n/a and "not built" say the same for every row: once per runtime is enough.
      const key = r.error ? null : `${name} ${text}`;
      if (key && seen.has(key)) continue;
      if (key) seen.add(key);
      notes.push(r.error ? `${name} on ${s.model} x${s.threads}: ${text}` : `${name}: ${text}`);
    }
  }
  return { text: [line(head), rule, ...body.map(line)].join('\n'), notes };
}
