#!/usr/bin/env bash
# Digest throughput: sigil's streaming hasher against sha256sum on the same 1 GiB file, same run.
# Usage: bench/digest.sh [SIZE_MIB]   (default 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
source bench/lib.sh
bench_build
work=$(mktemp -d /var/tmp/sigil-bench-digest.XXXXXX)
trap 'rm -rf "$work"' EXIT
head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$work/blob"
cat "$work/blob" > /dev/null  # warm the page cache so both read from memory

theirs=$(best_of 3 sha256sum "$work/blob")
ours=$(best_of 3 "$BENCH_BUILD/bench/sigil-bench-digest" "$work/blob")
report "digest ${size_mib} MiB" "$ours" "$theirs" "sha256sum"
[ "$("$BENCH_BUILD/bench/sigil-bench-digest" "$work/blob" | cut -d' ' -f1)" = "sha256:$(sha256sum "$work/blob" | cut -d' ' -f1)" ]
