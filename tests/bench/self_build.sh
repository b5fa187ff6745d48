#!/usr/bin/env bash
# trustsite as run_peers.sh's "self" peer: `self_build.sh SITE OUT [ARGS...]`.
# The shared corpus generator writes no trust.yaml (it is trustsite's only
# addition to the `plain` flavor), so this writes the benchmark's one first,
# then execs a default `trustsite build` (TRUSTSITE: the binary to run).
set -euo pipefail
site=$1 out=$2
shift 2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ -f "$site/trust.yaml" ] || cp "$here/trust.yaml" "$site/trust.yaml"
exec "${TRUSTSITE:-$here/../../target/release/trustsite}" build --root "$site" --output "$out" "$@"
