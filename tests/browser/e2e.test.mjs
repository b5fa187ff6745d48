// End-to-end and accessibility tests of the example trust center in a real
// browser: Debian's headless Chromium (/usr/bin/chromium) driven by
// playwright-core, with axe-core for accessibility.
//
//   cd tests/browser && npm ci && npm test
//
// The example site (the repository's trust.yaml + content/) is built with the
// real binary into a temp folder and served by a tiny static server on
// 127.0.0.1; the live-reload test runs `trustsite serve` itself on a copy of
// the site. Every request the browser makes is observed: any host other than
// 127.0.0.1 fails the run (and is aborted). Screenshots and axe reports land
// in target/browser-artifacts/ (gitignored).
//
// Environment: CHROMIUM (default /usr/bin/chromium); TRUSTSITE_BIN (default:
// `cargo build` then target/debug/trustsite).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const TARGET = process.env.CARGO_TARGET_DIR
  ? path.resolve(REPO, process.env.CARGO_TARGET_DIR)
  : path.join(REPO, 'target');
const ARTIFACTS = path.join(TARGET, 'browser-artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TODAY = '2026-11-22';
const DOC_PATH = '/policies/access-control/';
const DOC_SOURCE = 'content/policies/access-control.md';
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let bin;
let work;
let site;
let server;
let origin;
let browser;

/** Runs the CLI synchronously, inheriting stderr. */
function trustsite(args, opts = {}) {
  return execFileSync(bin, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'], ...opts }).toString();
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.json': 'application/json', '.xml': 'application/xml', '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.asc': 'text/plain; charset=utf-8',
};

/** A static server for `dir` with pretty URLs and the site's 404 page, like a static host. */
function serveStatic(dir) {
  const srv = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let file = path.join(dir, decodeURIComponent(url.pathname));
    if (!file.startsWith(dir)) file = path.join(dir, '404.html');
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    let status = 200;
    if (!fs.existsSync(file)) {
      status = 404;
      file = path.join(dir, '404.html');
    }
    res.writeHead(status, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

/**
 * A fresh browser context that records console errors, page errors and every
 * request; requests to any host but 127.0.0.1 are aborted and recorded.
 */
async function openContext(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const seen = { errors: [], offHost: [], requests: [] };
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => {
    seen.offHost.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  context.on('request', (req) => seen.requests.push(req.url()));
  context.on('page', (page) => watchPage(page, seen));
  return { context, seen };
}

function watchPage(page, seen) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.errors.push(`${page.url()}: console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => seen.errors.push(`${page.url()}: ${err.message}`));
}

/** Fails on console errors or requests to other hosts. */
function assertClean(seen) {
  const other = seen.requests.filter((u) => {
    const { protocol, hostname } = new URL(u);
    return (protocol === 'http:' || protocol === 'https:' || protocol === 'ws:' || protocol === 'wss:')
      && hostname !== '127.0.0.1';
  });
  assert.deepEqual(seen.offHost, [], 'requests to another host');
  assert.deepEqual(other, [], 'requests to another host');
  assert.deepEqual(seen.errors, [], 'console errors');
}

/** Waits for `pred` (async) to be true, polling, up to `ms`. */
async function until(what, pred, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  if (process.env.TRUSTSITE_BIN) {
    bin = path.resolve(process.env.TRUSTSITE_BIN);
  } else {
    execFileSync('cargo', ['build', '--quiet'], { cwd: REPO, stdio: 'inherit' });
    bin = path.join(TARGET, 'debug', 'trustsite');
  }
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'trustsite-browser-'));
  site = path.join(work, 'public');
  trustsite(['build', '--output', site, '--today', TODAY]);
  server = await serveStatic(site);
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    // launch() gives every run a new, empty temporary user-data-dir of its own.
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('every page loads without console errors or requests to other hosts', { timeout: 120000 }, async () => {
  const { context, seen } = await openContext();
  const page = await context.newPage();
  const sitemap = fs.readFileSync(path.join(site, 'sitemap.xml'), 'utf8');
  const paths = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]).pathname);
  assert.ok(paths.length > 10, `sitemap lists ${paths.length} pages`);
  for (const p of [...paths, '/no/such/page/']) {
    const res = await page.goto(origin + p, { waitUntil: 'load' });
    assert.equal(res.status(), p.startsWith('/no/') ? 404 : 200, p);
  }
  await page.goto(origin + '/', { waitUntil: 'load' });
  await page.screenshot({ path: path.join(ARTIFACTS, 'home.png'), fullPage: true });
  await page.goto(origin + DOC_PATH, { waitUntil: 'load' });
  await page.screenshot({ path: path.join(ARTIFACTS, 'document.png'), fullPage: true });
  await context.close();
  // The one expected error: the browser reports the deliberate 404 itself.
  const missing = `${origin}/no/such/page/: console: Failed to load resource: the server responded with a status of 404`;
  seen.errors = seen.errors.filter((e) => !e.startsWith(missing));
  assertClean(seen);
});

test('search finds a policy and opens it', { timeout: 60000 }, async () => {
  const { context, seen } = await openContext();
  const page = await context.newPage();
  await page.goto(origin + '/', { waitUntil: 'load' });
  const input = page.locator('#ts-search');
  await input.waitFor({ state: 'visible' });
  await input.fill('access control');
  const hit = page.locator('#ts-search-results a', { hasText: 'Access Control' }).first();
  await hit.waitFor({ state: 'visible', timeout: 10000 });
  await Promise.all([page.waitForURL(`**${DOC_PATH}`), hit.click()]);
  assert.match(await page.locator('h1').first().innerText(), /Access Control/);
  await context.close();
  assertClean(seen);
});

test('the review badge turns overdue when the visitor\'s clock passes the due date', { timeout: 60000 }, async () => {
  const { context, seen } = await openContext();
  const page = await context.newPage();
  const badge = page.locator('#ts-review-status');

  // Today as built: the document is current and says so.
  await page.clock.setFixedTime(new Date(`${TODAY}T12:00:00`));
  await page.goto(origin + DOC_PATH, { waitUntil: 'load' });
  const due = await badge.getAttribute('data-next-due');
  assert.match(due, /^\d{4}-\d{2}-\d{2}$/);
  assert.match(await badge.getAttribute('class'), /\breview-current\b/);
  assert.equal(await page.locator('#ts-overdue-banner').isVisible(), false);

  // A visitor one day after the due date: the same static page turns overdue.
  const after = new Date(`${due}T12:00:00`);
  after.setDate(after.getDate() + 1);
  await page.clock.setFixedTime(after);
  await page.reload({ waitUntil: 'load' });
  await until('the badge to flip', async () => /\breview-overdue\b/.test(await badge.getAttribute('class')));
  assert.equal((await badge.innerText()).trim(), 'Overdue');
  assert.equal(await page.locator('#ts-overdue-banner').isVisible(), true);
  await page.screenshot({ path: path.join(ARTIFACTS, 'document-overdue.png') });
  await context.close();
  assertClean(seen);
});

test('accessibility: no moderate, serious or critical axe violations on the home, a document page (with its redline and version list) and an earlier version', { timeout: 90000 }, async () => {
  const failures = [];
  for (const colorScheme of ['light', 'dark']) {
    const { context, seen } = await openContext({ colorScheme });
    const page = await context.newPage();
    for (const [name, p] of [['home', '/'], ['document', DOC_PATH], ['version', `${DOC_PATH}v/2.3/`]]) {
      await page.goto(origin + p, { waitUntil: 'load' });
      await page.addScriptTag({ content: AXE_SOURCE });
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      const report = path.join(ARTIFACTS, `axe-${name}-${colorScheme}.json`);
      fs.writeFileSync(report, JSON.stringify(result.violations, null, 2));
      for (const v of result.violations) {
        const line = `${p} (${colorScheme}): ${v.impact}: ${v.id}: ${v.help} (${v.nodes.length} nodes, e.g. ${v.nodes[0]?.target})`;
        if (v.impact !== 'minor') failures.push(line);
        else console.log(`axe (not failing) ${line}`);
      }
    }
    await context.close();
    assertClean(seen);
  }
  assert.deepEqual(failures, [], 'moderate, serious or critical accessibility violations (reports in target/browser-artifacts/)');
});

test('live reload: an edit under serve reloads the open page with the new text', { timeout: 120000 }, async () => {
  const root = path.join(work, 'serve-site');
  fs.cpSync(path.join(REPO, 'content'), path.join(root, 'content'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'trust.yaml'), path.join(root, 'trust.yaml'));
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = probe.address().port;
      probe.close(() => resolve(p));
    });
  });
  const child = spawn(bin, ['serve', '--root', root, '--port', String(port), '--today', TODAY],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const { context, seen } = await openContext();
  try {
    await until('serve to start', async () => out.includes('serving '));
    const page = await context.newPage();
    const base = `http://127.0.0.1:${port}`;
    // One retry: a single CI run timed out here once while the machine was
    // saturated by other jobs; it never reproduced (see the issue notes).
    try {
      await page.goto(base + DOC_PATH, { waitUntil: 'load', timeout: 20000 });
    } catch (e) {
      out += `\n(first navigation failed: ${e.message.split('\n')[0]}; retrying)\n`;
      await page.goto(base + DOC_PATH, { waitUntil: 'load', timeout: 30000 });
    }
    await until('the event stream', async () => seen.requests.some((u) => u.endsWith('/__trustsite/events')));
    await page.evaluate(() => { window.__beforeReload = true; });
    const marker = `Live reload marker ${Date.now()}`;
    const file = path.join(root, DOC_SOURCE);
    fs.appendFileSync(file, `\n\n${marker}\n`);
    await until('the page to reload with the edit', async () => {
      try {
        return await page.evaluate((m) => !window.__beforeReload && document.body.innerText.includes(m), marker);
      } catch {
        return false; // navigating
      }
    });
    await page.screenshot({ path: path.join(ARTIFACTS, 'serve-after-reload.png') });
  } catch (e) {
    e.message += `\nserve output:\n${out}`;
    throw e;
  } finally {
    await context.close();
    child.kill('SIGTERM');
  }
  assertClean(seen);
});
