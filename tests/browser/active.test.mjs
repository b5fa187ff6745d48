// Active content in a real browser (issue 11): no SVG or page published from
// content/ runs script on the site's origin.
//
//   cd tests/browser && npm ci && npm test
//
// A fixture site is written into a temp folder: SVGs that are hostile but
// inert (payloads in text, data- and aria- attributes, fragment links, CSS
// with url(#…), a public DTD, Inkscape metadata) next to a public document,
// and a site-verification file allowed by `allow_active`. It is built with
// the real binary and served on 127.0.0.1; Chromium opens every published
// .html and .svg file directly (an SVG opened as a document runs its
// scripts, unlike one in <img>) and clicks every link inside the SVGs. Each
// payload would set `window.__pwned` and request /__pwned?<name> from the
// origin; the test fails if either happens.
//
// The SVGs trustsite refuses (script, event handler, foreignObject, SMIL
// animation of href, entity and XSLT tricks) must each make the build fail
// naming the file; as a control, the ones Chromium is known to run are opened
// raw from the source folder and must be seen running, so the detector is
// proven to detect.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
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
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TODAY = '2026-11-22';

/** A payload that sets the global and makes a request the server records. */
const js = (name) => `window.__pwned='${name}';fetch('/__pwned?${name}')`;
const SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100">';

/** Inert SVGs: published, and nothing in them may run. */
const ALLOWED = {
  'text-payloads.svg': `${SVG_OPEN}
  <title>&lt;/title&gt;&lt;script&gt;${js('title')}&lt;/script&gt;</title>
  <desc><![CDATA[<script>${js('cdata')}</script><img src=x onerror="${js('cdata-img')}">]]></desc>
  <text x="1" y="10" data-onload="${js('data')}" aria-label="javascript:${js('aria')}">&lt;img src=x onerror=${js('text')}&gt;</text>
</svg>`,
  'links-and-paint.svg': `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
${SVG_OPEN}
  <defs><linearGradient id="g"><stop offset="0" stop-color="#036"/><stop offset="1" stop-color="#9cf"/></linearGradient>
  <filter id="f"><feGaussianBlur stdDeviation="1"/></filter><rect id="box" width="40" height="40"/></defs>
  <style>rect { fill: url(#g); } .t { font-family: sans-serif }</style>
  <a href="#javascript:${encodeURIComponent(js('fragment'))}"><rect id="click-1" x="0" y="0" width="50" height="50"/></a>
  <a xlink:href="#box"><circle id="click-2" cx="75" cy="25" r="20" filter="url(#f)"/></a>
  <use href="#box" x="50" y="50"/>
  <image x="90" y="90" width="1" height="1" href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="/>
  <text class="t" x="5" y="90">inert</text>
</svg>`,
  'inkscape.svg': `<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" viewBox="0 0 10 10" inkscape:version="1.3">
  <sodipodi:namedview inkscape:zoom="1"/>
  <metadata><rdf:RDF><dc:title>&lt;script&gt;${js('metadata')}&lt;/script&gt;</dc:title></rdf:RDF></metadata>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer"><path d="M0 0 L10 10"/></g>
</svg>`,
};

/** SVGs trustsite refuses; `runs`: Chromium runs the payload when opened raw. */
const REFUSED = {
  'script.svg': { runs: true, text: `${SVG_OPEN}\n<script>${js('script')}</script>\n</svg>` },
  'onload.svg': { runs: true, text: `<svg xmlns="http://www.w3.org/2000/svg" onload="${js('onload')}"/>` },
  'foreign.svg': {
    runs: true,
    text: `${SVG_OPEN}<foreignObject width="10" height="10"><body xmlns="http://www.w3.org/1999/xhtml"><script>${js('foreign')}</script></body></foreignObject></svg>`,
  },
  'xhtml-script.svg': {
    runs: true,
    text: `${SVG_OPEN}<metadata><h:script xmlns:h="http://www.w3.org/1999/xhtml">${js('xhtml')}</h:script></metadata></svg>`,
  },
  'animate-href.svg': {
    runs: false,
    text: `${SVG_OPEN}<a><animate attributeName="href" to="javascript:${js('animate')}"/><rect width="100" height="100"/></a></svg>`,
  },
  'javascript-href.svg': {
    runs: false,
    text: `${SVG_OPEN}<a href="javascript:${js('href')}"><rect width="100" height="100"/></a></svg>`,
  },
  'entity.svg': {
    runs: false,
    text: `<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY s "&#60;script&#62;${js('entity')}&#60;/script&#62;">\n]>\n<svg xmlns="http://www.w3.org/2000/svg">&s;</svg>`,
  },
  'xslt.svg': {
    runs: false,
    text: `<?xml-stylesheet type="text/xsl" href="x.xsl"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>`,
  },
  'svg-data-image.svg': {
    runs: false,
    text: `${SVG_OPEN}<image width="9" height="9" href="data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" onload="${js('data-image')}"/>`)}"/></svg>`,
  },
  'external-use.svg': { runs: false, text: `${SVG_OPEN}<use href="https://evil.example/x.svg#a"/></svg>` },
};

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.json': 'application/json', '.xml': 'application/xml', '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
};

let bin;
let work;
let browser;
const pwned = [];

function writeSite(root, svgs) {
  const w = (rel, text) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  w('trust.yaml', 'title: Active\nbase_url: /\ndefault_visibility: public\nallow_active:\n  - content/google1234.html\n');
  w('content/index.md', '---\ntitle: Home\n---\nWelcome.\n');
  w('content/google1234.html', 'google-site-verification: google1234.html\n');
  const imgs = Object.keys(svgs).map((n) => `![${n}](${n})`).join('\n\n');
  w('content/policies/diagrams/index.md', `---\ntitle: Diagrams\n---\n${imgs}\n`);
  for (const [name, text] of Object.entries(svgs)) w(`content/policies/diagrams/${name}`, text);
}

function build(root, out) {
  return spawnSync(bin, ['build', '--root', root, '--output', out, '--today', TODAY], { encoding: 'utf8' });
}

/** A static server for `dir`; requests to /__pwned are recorded, never served. */
function serveStatic(dir) {
  const srv = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/__pwned') {
      pwned.push(`${url.search} (from ${req.headers.referer || '?'})`);
      res.writeHead(204);
      return res.end();
    }
    let file = path.join(dir, decodeURIComponent(url.pathname));
    if (!file.startsWith(dir)) file = path.join(dir, '404.html');
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

/** Every file under `dir` with one of `exts`, as URL paths. */
function files(dir, exts, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p, exts, base);
    return exts.includes(path.extname(e.name)) ? ['/' + path.relative(base, p).split(path.sep).join('/')] : [];
  });
}

/** Opens `url` in a fresh context; returns `window.__pwned` (after clicking every link of an SVG). */
async function visit(url) {
  const context = await browser.newContext();
  await context.route((u) => u.hostname !== '127.0.0.1', (route) => route.abort('blockedbyclient'));
  const page = await context.newPage();
  page.on('dialog', (d) => d.dismiss());
  await page.goto(url, { waitUntil: 'load' });
  if (url.endsWith('.svg')) {
    for (const link of await page.locator('a').all()) {
      await link.click({ force: true, timeout: 2000 }).catch(() => {});
    }
  }
  await page.waitForTimeout(200); // let a fetch fired by a payload land (not an assertion)
  const seen = await page.evaluate(() => window.__pwned ?? null).catch(() => null);
  await context.close();
  return seen;
}

before(async () => {
  if (process.env.TRUSTSITE_BIN) {
    bin = path.resolve(process.env.TRUSTSITE_BIN);
  } else {
    execFileSync('cargo', ['build', '--quiet'], { cwd: REPO, stdio: 'inherit' });
    bin = path.join(TARGET, 'debug', 'trustsite');
  }
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'trustsite-active-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('no published SVG or page runs script, links clicked', { timeout: 180000 }, async () => {
  const root = path.join(work, 'allowed');
  const out = path.join(work, 'allowed-public');
  writeSite(root, ALLOWED);
  const res = build(root, out);
  assert.equal(res.status, 0, res.stderr);
  const svgs = files(out, ['.svg']);
  for (const name of Object.keys(ALLOWED)) {
    assert.ok(svgs.includes(`/policies/diagrams/${name}`), `${name} published (${svgs})`);
  }
  const pages = files(out, ['.html']);
  assert.ok(pages.includes('/google1234.html'), 'the allowed verification file is published');
  assert.ok(pages.includes('/policies/diagrams/index.html'));
  const server = await serveStatic(out);
  const origin = `http://127.0.0.1:${server.address().port}`;
  try {
    for (const p of [...svgs, ...pages]) {
      assert.equal(await visit(origin + p), null, `script ran in ${p}`);
    }
  } finally {
    server.close();
  }
  assert.deepEqual(pwned, [], 'payload requests reached the server');
});

test('every SVG that is not inert fails the build naming the file; the control payloads do run raw', { timeout: 180000 }, async () => {
  for (const [name, { text }] of Object.entries(REFUSED)) {
    const root = path.join(work, `refused-${name}`);
    const out = path.join(work, `refused-${name}-public`);
    writeSite(root, { ...ALLOWED, [name]: text });
    const res = build(root, out);
    assert.equal(res.status, 1, `${name}: ${res.stderr}`);
    assert.match(res.stderr, new RegExp(`content/policies/diagrams/${name.replace('.', '\\.')}:\\d+:\\d+: error: SVG is not published`), name);
    assert.equal(fs.existsSync(out), false, `${name}: nothing written`);
  }
  // Control: opened raw (not through trustsite), the payloads Chromium runs are seen.
  const raw = path.join(work, 'raw');
  fs.mkdirSync(raw, { recursive: true });
  for (const [name, { text }] of Object.entries(REFUSED)) fs.writeFileSync(path.join(raw, name), text);
  const server = await serveStatic(raw);
  const origin = `http://127.0.0.1:${server.address().port}`;
  try {
    for (const [name, { runs }] of Object.entries(REFUSED)) {
      if (!runs) continue;
      const before = pwned.length;
      const seen = await visit(`${origin}/${name}`);
      assert.ok(seen !== null || pwned.length > before, `the detector saw ${name} run`);
    }
  } finally {
    server.close();
  }
});
