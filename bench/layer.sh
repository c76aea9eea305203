#!/usr/bin/env bash
# Layer writer benchmark: a generated context (default ~1 GiB in 20k files, half text, half
# random) written as one gzip layer by sigil's layer writer, against the physical reference
# `tar --sort=name -cf - CTX | pigz -p2 | sha256sum` in the same run. Reports wall time, peak
# RSS and the ratio (target ≤ 1.3).
# Usage: bench/layer.sh [SIZE_MIB] [FILES]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
files=${2:-20000}
source bench/lib.sh
[ -n "${BENCH_PREBUILT:-}" ] || bench_build
command -v pigz >/dev/null || scripts/bootstrap --test >/dev/null

work=$(mktemp -d /var/tmp/sigil-bench-layer.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$BENCH_BUILD/bench/sigil-bench-layer" gen "$work/ctx" "$size_mib" "$files"
sync

ours=$(best_of 3 bash -c "rm -rf '$work/out'; '$BENCH_BUILD/bench/sigil-bench-layer' write '$work/ctx' '$work/out' gzip")
theirs=$(best_of 3 bash -c "tar --sort=name -cf - -C '$work' ctx | pigz -p2 | sha256sum")
report "layer ${size_mib} MiB/${files} files (gzip)" "$ours" "$theirs" "tar|pigz"
ours=$(best_of 3 bash -c "rm -rf '$work/out'; '$BENCH_BUILD/bench/sigil-bench-layer' write '$work/ctx' '$work/out' zstd")
theirs=$(best_of 3 bash -c "tar --sort=name -cf - -C '$work' ctx | zstd -q -T0 | sha256sum")
report "layer ${size_mib} MiB/${files} files (zstd)" "$ours" "$theirs" "tar|zstd"
