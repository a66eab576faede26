// The playground: any .onnx/.wisp model, its declared inputs/outputs (from the Wisp API), its
// operator histogram (read from the file by /lib/model_info.mjs: the API has no node list),
// runs with seeded random inputs and the time per operator type of a profiled run.
import { concreteDims, modelInfo, randomFeed, seededRandom } from '/lib/model_info.mjs';
import {
  acceptFiles, environmentText, fetchBytes, fillTable, loadOptions, ms, now, runtimeOf, setStatus, showError, showRuntime, wisp,
} from '/shared.mjs';

const $ = (id) => document.getElementById(id);
let current = null;  // {model, name}

const shapeText = (shape) => (shape ? `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]` : 'unknown rank');

// A table of [label, value text, value] rows with a bar proportional to each value.
function showBars(tbody, rows) {
  const max = Math.max(1e-9, ...rows.map(([, , value]) => value));
  tbody.replaceChildren(...rows.map(([label, text, value]) => {
    const tr = document.createElement('tr');
    tr.innerHTML = '<td></td><td class="num"></td><td><span class="bar"></span></td>';
    tr.children[0].textContent = label;
    tr.children[1].textContent = text;
    tr.querySelector('.bar').style.width = `${Math.max(2, (value / max) * 240)}px`;
    return tr;
  }));
}

const showOps = (histogram) => showBars($('ops'), histogram.map(([op, count]) => [op, String(count), count]));

// Time per operator type of one profiled run (Model.runWithProfile), slowest first.
const showProfile = (profile) => showBars($('profile'), profile.byOpType.map(({ opType, ms: t, count }) =>
  [`${opType} ×${count}`, ms(t), t]));

// One editable shape per input; symbolic/unknown dims start at 1.
function showInputs(inputs) {
  $('inputs').replaceChildren(...inputs.map((input) => {
    const tr = document.createElement('tr');
    tr.innerHTML = '<td></td><td></td><td></td><td><input size="18"></td>';
    tr.children[0].textContent = input.name;
    tr.children[1].textContent = input.dtype ?? '?';
    tr.children[2].textContent = shapeText(input.shape);
    tr.querySelector('input').value = concreteDims(input.shape).join(', ');
    tr.querySelector('input').dataset.name = input.name;
    return tr;
  }));
}

function parseDims(text, name) {
  const dims = text.split(/[\s,x×]+/).filter(Boolean).map(Number);
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`input '${name}': bad shape '${text}'`);
  return dims;
}

function stats(data) {
  if (Array.isArray(data) || data.length === 0) return '';
  let lo = Infinity, hi = -Infinity, sum = 0;
  for (const v of data) {
    const x = Number(v);
    if (x < lo) lo = x;
    if (x > hi) hi = x;
    sum += x;
  }
  const f = (x) => (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(3));
  return `${f(lo)} / ${f(sum / data.length)} / ${f(hi)}`;
}

let queue = Promise.resolve();
const serial = (fn) => (...args) => (queue = queue.then(() => fn(...args)));

const open = serial(async (bytes, name) => {
  try {
    setStatus('loading', `Loading ${name}…`);
    current?.model.dispose();
    current = null;
    $('run').disabled = true;
    const { Model } = await wisp();
    let info, infoError = null;
    const t0 = now();
    try {
      info = modelInfo(bytes);
    } catch (e) {
      infoError = e.message;  // Wisp's own loader gives the authoritative error below
    }
    const parseMs = now() - t0;
    const t1 = now();
    const model = await Model.load(bytes, loadOptions());
    const loadMs = now() - t1;
    current = { model, name };
    showRuntime(model);
    fillTable($('summary'), [
      ['file', `${name} (${(bytes.length / 1048576).toFixed(2)} MB)`],
      ['format', info?.format ?? '?'],
      ['producer', info?.producer || '—'],
      ['opsets', info ? info.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ') : '?'],
      ['nodes', info ? `${info.nodes} (${info.subgraphNodes} in subgraphs)` : `? (${infoError})`],
    ]);
    showOps(info?.opHistogram ?? []);
    showInputs(model.inputs);
    fillTable($('outputs'), model.outputs.map((o) => [o.name, o.dtype ?? '?', shapeText(o.shape), '', '']));
    fillTable($('timings'), [['read operators (JS)', ms(parseMs)], ['Model.load', ms(loadMs)]]);
    window.demoResult = { runtime: runtimeOf(model), file: name, info, inputs: model.inputs, outputs: model.outputs, timings: { parseMs, loadMs } };
    $('run').disabled = false;
    setStatus('loaded', `${name}: ${model.inputs.length} inputs, ${model.outputs.length} outputs, loaded in ${ms(loadMs)}`);
  } catch (e) {
    showError(e);
  }
});

const run = serial(async () => {
  if (!current) return;
  try {
    const { model, name } = current;
    setStatus('running', `Running ${name}…`);
    const random = seededRandom(1);
    const feeds = {};
    for (const field of $('inputs').querySelectorAll('input')) {
      const input = model.inputs.find((i) => i.name === field.dataset.name);
      feeds[input.name] = randomFeed({ ...input, shape: parseDims(field.value, input.name) }, { random });
    }
    const runs = Math.min(100, Math.max(1, Number($('runs').value) || 1));
    const times = [];
    let out;
    for (let i = 0; i < runs; ++i) {
      const t = now();
      out = await model.run(feeds);
      times.push(now() - t);
    }
    // One more run, timing every node, for the chart of time per operator type.
    const { profile } = await model.runWithProfile(feeds);
    showProfile(profile);
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    fillTable($('outputs'), model.outputs.map((o) => {
      const r = out[o.name];
      return [o.name, r?.dtype ?? o.dtype ?? '?', shapeText(o.shape), r ? `[${r.dims.join(', ')}]` : 'missing', r ? stats(r.data) : ''];
    }));
    const rows = [...$('timings').children].slice(0, 2).map((tr) => [...tr.children].map((td) => td.textContent));
    fillTable($('timings'), [...rows, ['first run', ms(times[0])], [`median of ${runs} runs`, ms(median)], ['fastest', ms(sorted[0])]]);
    window.demoResult = {
      ...window.demoResult, runs, times,
      profile: { byOpType: profile.byOpType, totalMs: profile.totalMs, nodes: profile.nodes.length },
      results: Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dtype: t.dtype, dims: t.dims, finite: Array.isArray(t.data) || [...t.data].every((v) => typeof v === 'bigint' || Number.isFinite(v)) }])),
    };
    setStatus('done', `${name}: ran ${runs}× (median ${ms(median)})`);
  } catch (e) {
    showError(e);
  }
});

async function openUrl(url) {
  try {
    await open(await fetchBytes(url), decodeURIComponent(url.split('/').pop()));
  } catch (e) {
    showError(e);
  }
}

$('env').textContent = environmentText();
acceptFiles($('drop'), $('file'), async (file) => open(new Uint8Array(await file.arrayBuffer()), file.name));
$('examples').addEventListener('change', (e) => e.target.value && openUrl(e.target.value));
$('run').addEventListener('click', () => run());
const initial = new URLSearchParams(location.search).get('model');
if (initial) openUrl(initial);
