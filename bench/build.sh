#!/usr/bin/env bash
# Build benchmark: a generated context (default ~1 GiB in ~20k files, text and random data) and a
# COPY-only multi-stage Dockerfile, built in the same run by
#   sigil build (gzip)                                   cold, then a no-change rebuild
#   buildah bud --isolation chroot --layers=false --timestamp 0 + buildah push IMG oci:DIR
#   tar --sort=name -cf - CTX | pigz -p2 | sha256sum     (the physical reference)
# Targets (issue 4): sigil ≤ 0.5× buildah, ≤ 1.3× the tar|pigz reference, rebuild ≤ 5% of the
# cold build, peak RSS < 256 MiB.
# Usage: bench/build.sh [SIZE_MIB] [FILES]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
files=${2:-20000}
source bench/lib.sh
[ -n "${BENCH_PREBUILT:-}" ] || bench_build
command -v buildah >/dev/null && command -v pigz >/dev/null || scripts/bootstrap --test >/dev/null
sigil=$BENCH_BUILD/sigil

work=$(mktemp -d /var/tmp/sigil-bench-build.XXXXXX)
trap 'buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs rm -a >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
ctx=$work/ctx
# Half text, half random bytes (the layer benchmark's generator), under data/.
"$BENCH_BUILD/bench/sigil-bench-layer" gen "$ctx/data" "$size_mib" "$files"
sync
cat > "$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch AS stage
COPY data/ /data/
FROM scratch
COPY --from=stage /data/ /srv/data/
DOCKERFILE

# One run: "WALL_S PEAK_KIB CPU_S" (user+sys of the command and its children). On the shared
# machine the CPU times are the stable part, so they are reported beside the wall times.
timed() {
  local tf
  tf=$(mktemp)
  /usr/bin/time -o "$tf" -f '%e %M %U %S' "$@" >/dev/null 2>&1
  tail -n 1 "$tf" | awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}'
  rm -f "$tf"
}
# cpu_report NAME "W K CPU" "W K CPU" PEER
cpu_report() {
  awk -v n="$1 (CPU)" -v p="$4" -v o="${2##* }" -v t="${3##* }" \
    'BEGIN{printf "%-36s sigil %7.2fs CPU           | %-10s %7.2fs CPU           | ratio %.2f\n", n, o, p, t, (t>0? o/t : 0)}'
}

cold=$(timed "$sigil" build --progress quiet --no-cache --cache-dir "$work/cache" -t "oci:$work/sigil:bench" "$ctx")
warm=$(timed "$sigil" build --progress quiet --cache-dir "$work/cache" -t "oci:$work/sigil:bench" "$ctx")
buildah_run() {
  local b=(buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs)
  "${b[@]}" bud --isolation chroot --layers=false --timestamp 0 -t bench "$ctx" &&
    "${b[@]}" push bench "oci:$work/buildah:bench"
}
export -f buildah_run; export work ctx
theirs=$(timed bash -c buildah_run)
reference=$(timed bash -c "tar --sort=name -cf - -C '$ctx' . | pigz -p2 | sha256sum")
report "build cold (gzip)" "${cold% *}" "${theirs% *}" buildah
report "build cold vs tar|pigz" "${cold% *}" "${reference% *}" tar+pigz
report "no-change rebuild vs cold" "${warm% *}" "${cold% *}" sigil-cold
cpu_report "build cold (gzip)" "$cold" "$theirs" buildah
cpu_report "build cold vs tar|pigz" "$cold" "$reference" tar+pigz
cpu_report "no-change rebuild vs cold" "$warm" "$cold" sigil-cold
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
