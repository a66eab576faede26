// The web build as an npm package: `npm pack` the dist folder, install the tarball into an
// empty project (offline, no scripts), run Silero VAD from a plain Node script that imports
// 'wisp' (no Node flags), and compare with onnxruntime-node.
//
// Environment: WISP_WEB_DIST (the package folder; default build/web/dist).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { models } from '../models/catalog.mjs';
import { compareTensor } from '../models/compare.mjs';
import { runReference } from '../models/targets.mjs';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const DIST = resolve(process.env.WISP_WEB_DIST ?? join(ROOT, 'build/web/dist'));
const VAD = models().find((m) => m.name === 'silero-vad-v5-16k');

// The consumer's script: feeds in, outputs out, as JSON (int64 as strings).
const SCRIPT = `
import { readFileSync } from 'node:fs';
import { Model, init } from 'wisp';
const [modelPath, feedsPath, threads] = process.argv.slice(2);
const raw = JSON.parse(readFileSync(feedsPath, 'utf8'));
const feeds = {};
for (const [name, t] of Object.entries(raw)) {
  feeds[name] = { dtype: t.dtype, dims: t.dims, data: t.dtype === 'int64' ? BigInt64Array.from(t.data.map(BigInt)) : Float32Array.from(t.data) };
}
const info = await init({ threads: threads === 'threads' });
const model = await Model.load(modelPath, { threads: threads === 'threads' });
const out = await model.run(feeds);
model.dispose();
const json = {};
for (const [name, t] of Object.entries(out)) json[name] = { dtype: t.dtype, dims: t.dims, data: Array.from(t.data, Number) };
console.log(JSON.stringify({ info, outputs: json }));
`;

test('npm pack, install offline and run Silero VAD from a plain Node script', { timeout: 300000 }, async () => {
  assert.ok(existsSync(join(DIST, 'package.json')), `${DIST} has no package.json: build the web preset first`);
  const work = mkdtempSync(join(tmpdir(), 'wisp-pack-'));
  try {
    const npmEnv = { ...process.env, npm_config_cache: join(work, 'npm-cache'), npm_config_audit: 'false', npm_config_fund: 'false' };
    execFileSync('npm', ['pack', DIST, '--pack-destination', work], { cwd: work, env: npmEnv, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.match(tarball, /^wisp-\d+\.\d+\.\d+\.tgz$/);

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--ignore-scripts', '--offline', '--no-audit', '--no-fund', join(work, tarball)],
      { cwd: app, env: npmEnv, stdio: 'pipe' });
    const installed = join(app, 'node_modules/wisp');
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'wisp');
    assert.ok(existsSync(join(installed, pkg.exports['.'].types)), 'types are packed');
    const core = readdirSync(join(installed, 'core'));
    for (const variant of ['simd128', 'simd128-mt']) {
      for (const ext of ['.js', '.mjs', '.wasm']) assert.ok(core.includes(`wisp-${variant}${ext}`), `core/wisp-${variant}${ext}`);
    }
    assert.ok(core.includes('wisp-simd128-mt.worker.js'));

    const feeds = VAD.feeds();
    const feedsPath = join(work, 'feeds.json');
    writeFileSync(feedsPath, JSON.stringify(Object.fromEntries(Object.entries(feeds).map(([name, t]) =>
      [name, { dtype: t.dtype, dims: t.dims, data: Array.from(t.data, (v) => (typeof v === 'bigint' ? v.toString() : v)) }]))));
    writeFileSync(join(app, 'run.mjs'), SCRIPT);
    const { outputs: expected } = await runReference(VAD.path, feeds);

    for (const mode of ['threads', 'single']) {
      // No flags, no dispose of the runtime: the script must exit by itself.
      const result = spawnSync(process.execPath, ['run.mjs', VAD.path, feedsPath, mode],
        { cwd: app, encoding: 'utf8', timeout: 120000 });
      assert.equal(result.error, undefined, `${mode}: the script did not finish`);
      assert.equal(result.status, 0, `${mode}: ${result.stderr}`);
      const { info, outputs } = JSON.parse(result.stdout);
      assert.equal(info.threads, mode === 'threads', JSON.stringify(info));
      for (const [name, want] of Object.entries(expected)) {
        const got = outputs[name];
        assert.ok(got, `${mode}: output ${name}`);
        const cmp = compareTensor({ ...got, data: Float32Array.from(got.data) }, want);
        assert.ok(cmp.ok, `${mode} ${name}: ${cmp.message}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
