/* trustsite default theme: progressive enhancements. No dependencies.
 *
 * 1. Review badges carry their due date (data-next-due) and warning window
 *    (data-warn-days). A deployed site is static, so a page built while a
 *    document was "current" would keep saying so long after its review date
 *    passed. Here the visitor's own date is compared with the due date and the
 *    badge is turned to "Review due soon" or "Overdue" when needed — never to a
 *    better status than the one rendered at build time. When the page's main
 *    badge (#ts-review-status) turns overdue, #ts-overdue-banner is revealed.
 * 2. The search box (hidden without JavaScript) is revealed; the search
 *    itself lives in search.js.
 * 3. Small niceties: the current section is marked in the main navigation,
 *    and the SHA-256 fingerprint gets a "Copy" button where the clipboard API
 *    is available.
 */
(function () {
  'use strict';

  var RANK = { untracked: 0, current: 1, due_soon: 2, overdue: 3, never_reviewed: 3 };
  var LABEL = { due_soon: 'Review due soon', overdue: 'Overdue' };

  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }

  function isoDate(d) {
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
  }

  function parseDate(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
    if (!m) return null;
    var d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    return isNaN(d.getTime()) ? null : d;
  }

  function currentStatus(el) {
    var classes = el.className.split(/\s+/);
    for (var i = 0; i < classes.length; i++) {
      var c = classes[i];
      if (c.indexOf('review-') === 0 && Object.prototype.hasOwnProperty.call(RANK, c.slice(7))) {
        return c.slice(7);
      }
    }
    return null;
  }

  function setStatus(el, status) {
    var keep = el.className.split(/\s+/).filter(function (c) {
      return c && !(c.indexOf('review-') === 0 && Object.prototype.hasOwnProperty.call(RANK, c.slice(7)));
    });
    keep.push('review-' + status);
    el.className = keep.join(' ');
    el.textContent = LABEL[status];
    el.setAttribute('data-client-status', status);
  }

  // Status for `today` (YYYY-MM-DD) given the due date and warning window.
  // `onDueDay`: overdue on the due day itself (tech-docs' rule).
  function statusFor(today, nextDue, warnDays, onDueDay) {
    if (today > nextDue || (onDueDay && today === nextDue)) return 'overdue';
    var due = parseDate(nextDue);
    if (!due) return null;
    var warnStart = new Date(due.getFullYear(), due.getMonth(), due.getDate() - warnDays);
    if (isoDate(warnStart) <= today) return 'due_soon';
    return null;
  }

  function updateReviewBadges() {
    var today = isoDate(new Date());
    var badges = document.querySelectorAll('[data-next-due]');
    var mainOverdue = false;
    for (var i = 0; i < badges.length; i++) {
      var el = badges[i];
      var nextDue = el.getAttribute('data-next-due');
      if (!parseDate(nextDue)) continue;
      var warnDays = parseInt(el.getAttribute('data-warn-days'), 10);
      if (isNaN(warnDays) || warnDays < 0) warnDays = 0;
      var next = statusFor(today, nextDue, warnDays, el.hasAttribute('data-overdue-on-due-day'));
      if (!next) continue;
      var rendered = currentStatus(el);
      var renderedRank = rendered ? RANK[rendered] : 0;
      if (RANK[next] <= renderedRank) continue; // never make a badge look better
      setStatus(el, next);
      if (el.id === 'ts-review-status' && next === 'overdue') mainOverdue = true;
    }
    if (mainOverdue) {
      var banner = document.getElementById('ts-overdue-banner');
      if (banner) banner.hidden = false;
    }
  }

  function revealSearch() {
    var box = document.getElementById('ts-search-box');
    if (box) box.hidden = false;
    var input = document.getElementById('ts-search');
    if (input) input.hidden = false;
  }

  function markCurrentNav() {
    var links = document.querySelectorAll('.site-nav a[href]');
    var here = window.location.pathname;
    var best = null;
    var bestLen = -1;
    for (var i = 0; i < links.length; i++) {
      var path = links[i].pathname;
      if (!path) continue;
      var isHome = i === 0;
      var match = isHome ? here === path || here === path + 'index.html'
        : here === path || here.indexOf(path.replace(/index\.html$/, '')) === 0;
      if (match && path.length > bestLen) {
        best = links[i];
        bestLen = path.length;
      }
    }
    if (best && !best.hasAttribute('aria-current')) best.setAttribute('aria-current', 'page');
  }

  function addCopyButton() {
    var hash = document.getElementById('ts-sha256');
    if (!hash || !navigator.clipboard || !window.isSecureContext) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy-button';
    button.textContent = 'Copy SHA-256';
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(hash.textContent.trim()).then(function () {
        button.textContent = 'Copied';
        setTimeout(function () { button.textContent = 'Copy SHA-256'; }, 2000);
      }, function () {
        button.textContent = 'Copy failed';
      });
    });
    hash.parentNode.insertBefore(button, hash.nextSibling);
  }

  function init() {
    updateReviewBadges();
    revealSearch();
    markCurrentNav();
    addCopyButton();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
