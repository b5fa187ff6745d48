/* trustsite default theme: client-side search over the static index that
 * `trustsite build` writes (src/search.rs). No dependencies, no server.
 *
 * Page contract: <input type="search" id="ts-search"> and
 * <div id="ts-search-results" aria-live="polite">; the index URL comes from
 * <meta name="ts-search-index" content="URL"> (else the input's data-index,
 * else <html data-search-index>). Anything carrying `hidden` around the input
 * (up to its form / role="search" wrapper) and its labels is revealed, since
 * search only works with JavaScript.
 *
 * Index (v1): {"common":[term],"docs":[[url,title,summary,restricted]],
 * "stop":[word],"terms":{"term":[doc,weight,docDelta,weight,...]},"v":1}.
 * The query is tokenized like the Rust side (lowercase, split on
 * non-alphanumerics, at least 2 characters); every token is a prefix of index
 * terms (exact matches count double). All tokens must match (AND) except stop
 * words and "common" terms, which only add to the score. At most 10 results,
 * rendered as plain links with textContent (never innerHTML).
 */
(function () {
  'use strict';

  var MAX_RESULTS = 10;
  var MAX_EXPANSIONS = 5000; // index terms one query token may expand to
  var MIN_TOKEN_CHARS = 2;

  var WORD = (function () {
    try {
      return new RegExp('[\\p{Alphabetic}\\p{N}]+', 'gu');
    } catch (e) {
      // Engines without Unicode property escapes: Latin, Greek, Cyrillic.
      return /[0-9A-Za-z\u00AA\u00B2\u00B3\u00B5\u00B9\u00BA\u00BC-\u00BE\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u03FF\u0400-\u052F]+/g;
    }
  })();

  var input = document.getElementById('ts-search');
  var results = document.getElementById('ts-search-results');
  if (!input || !results) return;

  var state = { index: null, loading: null, failed: false };

  /* ---------- index ---------- */

  function indexUrl() {
    var meta = document.querySelector('meta[name="ts-search-index"]');
    var raw = (meta && meta.getAttribute('content')) || input.getAttribute('data-index') ||
      document.documentElement.getAttribute('data-search-index');
    if (!raw) return null;
    try {
      var url = new URL(raw, document.baseURI);
      return url.origin === window.location.origin ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function prepare(raw) {
    if (!raw || raw.v !== 1 || !Array.isArray(raw.docs) || !raw.terms || typeof raw.terms !== 'object') {
      throw new Error('unsupported search index');
    }
    return {
      docs: raw.docs,
      postings: raw.terms,
      // Sorted by UTF-16 code units so binary search and prefix runs agree
      // with JavaScript string comparison.
      keys: Object.keys(raw.terms).sort(),
      optional: new Set([].concat(raw.stop || [], raw.common || []))
    };
  }

  function load() {
    if (state.loading) return state.loading;
    var url = indexUrl();
    if (!url || typeof window.fetch !== 'function') {
      state.failed = true;
      state.loading = Promise.resolve(null);
      return state.loading;
    }
    state.loading = window.fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (raw) {
        state.index = prepare(raw);
        return state.index;
      })
      .catch(function () {
        state.failed = true;
        return null;
      });
    return state.loading;
  }

  /* ---------- search ---------- */

  function tokenize(query) {
    var words = query.toLowerCase().match(WORD) || [];
    var seen = new Set();
    return words.filter(function (word) {
      if (Array.from(word).length < MIN_TOKEN_CHARS || seen.has(word)) return false;
      seen.add(word);
      return true;
    });
  }

  function lowerBound(keys, token) {
    var lo = 0;
    var hi = keys.length;
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (keys[mid] < token) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // Best score per document for one query token over all terms it prefixes.
  function matchToken(index, token) {
    var best = new Map();
    var start = lowerBound(index.keys, token);
    var end = Math.min(index.keys.length, start + MAX_EXPANSIONS);
    for (var i = start; i < end; i++) {
      var term = index.keys[i];
      if (term.lastIndexOf(token, 0) !== 0) break;
      var boost = term === token ? 2 : 1;
      var flat = index.postings[term];
      var doc = 0;
      for (var j = 0; j + 1 < flat.length; j += 2) {
        doc += flat[j];
        var score = flat[j + 1] * boost;
        if (!(best.get(doc) >= score)) best.set(doc, score);
      }
    }
    return best;
  }

  function search(index, query) {
    var tokens = tokenize(query);
    if (!tokens.length) return null;
    var required = tokens.filter(function (t) { return !index.optional.has(t); });
    var scores = new Map();
    var hits = new Map();
    tokens.forEach(function (token) {
      var counts = required.indexOf(token) >= 0;
      matchToken(index, token).forEach(function (score, doc) {
        scores.set(doc, (scores.get(doc) || 0) + score);
        if (counts) hits.set(doc, (hits.get(doc) || 0) + 1);
      });
    });
    var found = [];
    scores.forEach(function (score, doc) {
      if ((hits.get(doc) || 0) === required.length && index.docs[doc]) found.push([doc, score]);
    });
    found.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    return { total: found.length, top: found.slice(0, MAX_RESULTS) };
  }

  /* ---------- rendering ---------- */

  function clear() {
    while (results.firstChild) results.removeChild(results.firstChild);
  }

  function message(text) {
    clear();
    var p = document.createElement('p');
    p.className = 'ts-search-status';
    p.textContent = text;
    results.appendChild(p);
  }

  function safeHref(url) {
    try {
      var parsed = new URL(String(url), document.baseURI);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function resultItem(row) {
    var href = safeHref(row[0]);
    if (!href) return null;
    var link = document.createElement('a');
    link.href = href;
    var title = document.createElement('div');
    title.className = 'ts-search-title';
    var strong = document.createElement('strong');
    strong.textContent = String(row[1] || row[0]);
    title.appendChild(strong);
    if (row[3]) {
      var badge = document.createElement('span');
      badge.className = 'badge vis-restricted';
      badge.textContent = 'Restricted';
      title.appendChild(document.createTextNode(' '));
      title.appendChild(badge);
    }
    link.appendChild(title);
    if (row[2]) {
      var summary = document.createElement('div');
      summary.className = 'ts-search-summary';
      summary.textContent = String(row[2]);
      link.appendChild(summary);
    }
    var item = document.createElement('li');
    item.appendChild(link);
    return item;
  }

  function render(index, found) {
    if (!found) return clear();
    if (!found.top.length) return message('No results');
    clear();
    var list = document.createElement('ul');
    found.top.forEach(function (hit) {
      var item = resultItem(index.docs[hit[0]]);
      if (item) list.appendChild(item);
    });
    var count = document.createElement('p');
    count.className = 'ts-search-count';
    count.textContent = found.total > found.top.length
      ? 'Top ' + found.top.length + ' of ' + found.total + ' results'
      : found.total + (found.total === 1 ? ' result' : ' results');
    results.appendChild(list);
    results.appendChild(count);
  }

  function run() {
    var query = input.value;
    if (!tokenize(query).length) return clear();
    if (state.failed) return message('Search unavailable');
    if (!state.index) {
      message('Loading search\u2026');
      load().then(function () {
        if (input.value === query) run();
      });
      return;
    }
    render(state.index, search(state.index, query));
  }

  /* ---------- keyboard ---------- */

  function links() {
    return Array.prototype.slice.call(results.querySelectorAll('a[href]'));
  }

  function reset() {
    input.value = '';
    clear();
  }

  function onInputKey(event) {
    if (event.key === 'Escape') {
      if (input.value || results.firstChild) event.preventDefault();
      reset();
    } else if (event.key === 'ArrowDown' || event.key === 'Enter') {
      var first = links()[0];
      if (first) {
        event.preventDefault();
        first.focus();
      } else if (event.key === 'Enter') {
        event.preventDefault();
      }
    }
  }

  function onResultsKey(event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      reset();
      input.focus();
    } else if (at >= 0 && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      var next = at + (event.key === 'ArrowDown' ? 1 : -1);
      if (next < 0) input.focus();
      else all[Math.min(next, all.length - 1)].focus();
    }
  }

  /* ---------- setup ---------- */

  function reveal() {
    for (var el = input; el && el !== document.body; el = el.parentElement) {
      if (el.hasAttribute('hidden')) el.hidden = false;
      if (el.tagName === 'FORM' || el.getAttribute('role') === 'search') break;
    }
    var labels = input.labels || document.querySelectorAll('label[for="ts-search"]');
    Array.prototype.forEach.call(labels, function (label) {
      if (label.hasAttribute('hidden')) label.hidden = false;
    });
    if (results.hasAttribute('hidden')) results.hidden = false;
    if (!input.hasAttribute('aria-controls')) input.setAttribute('aria-controls', 'ts-search-results');
  }

  function init() {
    reveal();
    input.addEventListener('focus', load);
    input.addEventListener('input', run);
    input.addEventListener('keydown', onInputKey);
    results.addEventListener('keydown', onResultsKey);
    var form = input.form;
    if (form) form.addEventListener('submit', function (event) { event.preventDefault(); });
    if (input.value) run();
  }

  init();
})();
