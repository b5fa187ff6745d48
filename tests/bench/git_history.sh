#!/usr/bin/env bash
# Benchmark of reading versions from git (a script, never a timed test).
#
#   tests/bench/git_history.sh [COMMITS] [DOCUMENTS]     # default: 10000 1000
#
# Generates, with `git fast-import` (seconds, not minutes), a repository of
# DOCUMENTS policies changed by COMMITS first-parent commits (one document
# per commit, a version bump every fifth change of a document, ten category
# folders of DOCUMENTS/10 files, pinned dates),
# then times `trustsite check` on it twice: in the repository (history read:
# one `git log`, one `git cat-file --batch`, every old text's front-matter
# parsed) and on the same files outside any repository (feature off). The
# difference is the cost of the history and of the version pages it adds.
# First it times the history read alone (examples/git_history: the library's
# `versions::load`). Release build unless PROFILE=debug. Environment: WORK (default: a temp folder, removed),
# RUNS=3.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
COMMITS="${1:-10000}"
DOCS="${2:-1000}"
RUNS="${RUNS:-3}"
WORK="${WORK:-$(mktemp -d)}"
PROFILE="${PROFILE:-release}"
BIN="$REPO/target/$PROFILE/trustsite"
READ="$REPO/target/$PROFILE/examples/git_history"
flag=$([ "$PROFILE" = release ] && echo --release || true)
(cd "$REPO" && cargo build $flag --quiet --bin trustsite --example git_history)
rm -rf "$WORK/repo" "$WORK/plain"
mkdir -p "$WORK/repo"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
git -C "$WORK/repo" init -q -b main
python3 - "$COMMITS" "$DOCS" <<'PY' | git -C "$WORK/repo" fast-import --quiet
import sys
commits, docs = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout.buffer
para = b"Access to production systems is granted on least privilege and reviewed by the owner. " * 6
t0 = 1700000000

def data(b):
    out.write(b"data %d\n" % len(b) + b + b"\n")

def folder(d):  # ten category folders, as a real trust center has
    return b"category-%d" % (d % 10)

def text(d, n):  # the n-th change of document d; a new version every fifth change
    head = b"---\ntitle: Policy %d\nversion: \"%d.0\"\nowner: Security\nlast_reviewed: 2026-01-01\n---\n" % (d, n // 5 + 1)
    return head + b"\n".join(b"## Section %d\n\n%s change %d\n" % (s, para, n if s == n % 8 else 0) for s in range(8))

def put(d, n):
    out.write(b"M 100644 inline content/%s/doc-%04d.md\n" % (folder(d), d))
    data(text(d, n))

changes = [0] * docs
for c in range(commits):
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Bench <bench@example.org> %d +0000\n" % (t0 + c * 3600))
    data(b"change %d" % c)
    if c == 0:
        out.write(b"M 100644 inline trust.yaml\n")
        data(b"title: Bench\nbase_url: https://bench.example/\ndefault_visibility: public\n")
        for d in range(docs):
            put(d, 0)
    else:
        d = c % docs
        changes[d] += 1
        put(d, changes[d])
    out.write(b"\n")
PY
git -C "$WORK/repo" checkout -q -f main
mkdir -p "$WORK/plain" && cp -r "$WORK/repo/trust.yaml" "$WORK/repo/content" "$WORK/plain/"
echo "repository: $(git -C "$WORK/repo" rev-list --count HEAD) commits, $(find "$WORK/repo/content" -name '*.md' | wc -l) documents"
time_check() {
  local best=""
  for _ in $(seq "$RUNS"); do
    local s e
    s=$(date +%s.%N)
    "$BIN" check --root "$1" --today 2026-06-01 --format json >/dev/null 2>&1 || true
    e=$(date +%s.%N)
    best=$(python3 -c "b='$best'; t=$e-$s; print(t if not b or t < float(b) else b)")
  done
  echo "$best"
}
for _ in $(seq "$RUNS"); do /usr/bin/time -f "  (wall %e s, CPU %U s user + %S s system, peak RSS %M KB)" "$READ" "$WORK/repo"; done
with=$(time_check "$WORK/repo")
without=$(time_check "$WORK/plain")
python3 -c "print(f'check with history: {$with:.2f} s; without (no repository): {$without:.2f} s; history read: {$with-$without:.2f} s (best of $RUNS)')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
[ -n "${KEEP:-}" ] || rm -rf "$WORK"
