// Browser helpers shared by the demo pages: loading the Wisp package, load options from the
// page URL, status reporting (also read by tests/browser through data-state and
// window.demoResult) and file drop zones.

export const WISP_URL = '/wisp/wisp.mjs';

let wispPromise = null;
/** The Wisp module (Model, Tensor, ...), imported once. */
export function wisp() {
  wispPromise ??= import(WISP_URL);
  return wispPromise;
}

/**
 * Options for Model.load from the page URL: ?threads=N becomes {numThreads: N} (used by
 * builds that support threads; others ignore it). Nothing is passed when it is absent.
 */
export function loadOptions() {
  const options = {};
  const threads = new URLSearchParams(location.search).get('threads');
  if (threads !== null) {
    const n = Number(threads);
    if (!Number.isInteger(n) || n < 1) throw new Error(`?threads must be a positive integer, not '${threads}'`);
    options.numThreads = n;
  }
  return options;
}

/** A line describing the environment: isolation (needed for threads) and requested threads. */
export function environmentText() {
  const threads = loadOptions().numThreads;
  return `cross-origin isolated: ${self.crossOriginIsolated ? 'yes' : 'no'}` +
    ` · threads requested: ${threads ?? 'default'} · cores: ${navigator.hardwareConcurrency ?? '?'}`;
}

/** Sets the page state ('loading', 'running', 'done', 'error') and its status line. */
export function setStatus(state, text) {
  document.body.dataset.state = state;
  const el = document.getElementById('status');
  if (el) {
    el.textContent = text;
    el.className = `status ${state}`;
  }
}

/** Reports a failure on the page (and to tests) instead of leaving it silently stuck. */
export function showError(e) {
  console.error(e);
  window.demoError = String(e?.message ?? e);
  setStatus('error', `Error: ${window.demoError}`);
}

export const ms = (v) => `${v.toFixed(1)} ms`;
export const now = () => performance.now();

/** Fetches a URL as bytes, with a clear error for HTTP failures. */
export async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Calls onFile(file) for files dropped on `zone` or picked with `input`. */
export function acceptFiles(zone, input, onFile) {
  input.addEventListener('change', () => input.files[0] && onFile(input.files[0]));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer?.files?.[0];
    if (file) onFile(file);
  });
}

/** Fills a <table> body from rows of cells (strings). */
export function fillTable(tbody, rows) {
  tbody.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    return tr;
  }));
}

/** {variant, numThreads} of a loaded model, where the package reports them (else null). */
export function runtimeOf(model) {
  return { variant: model.variant ?? null, numThreads: model.numThreads ?? null };
}

/** Shows which runtime variant and how many threads a model got, in the #env line. */
export function showRuntime(model) {
  const { variant, numThreads } = runtimeOf(model);
  const el = document.getElementById('env');
  if (el && variant) el.textContent = `${environmentText()} · runtime: ${variant}, ${numThreads ?? '?'} thread(s)`;
}
