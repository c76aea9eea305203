#!/usr/bin/env bash
# Copy benchmark: a generated image (default 1 GiB in 8 layers) layout → registry and registry → layout,
# with sigil and with skopeo in the same run, against Debian's docker-registry on loopback.
# Usage: bench/copy.sh [SIZE_MIB] [LAYERS]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
layers=${2:-8}
source bench/lib.sh
bench_build
command -v skopeo >/dev/null && command -v docker-registry >/dev/null || scripts/bootstrap --test >/dev/null

work=$(mktemp -d /var/tmp/sigil-bench-copy.XXXXXX)
registry_pid=""
cleanup() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 40000))
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((20000 + RANDOM % 40000)); done  # find a free port
reg=127.0.0.1:$port
cat > "$work/registry.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}, delete: {enabled: true}}
http: {addr: $reg}
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -fsS "http://$reg/v2/" >/dev/null 2>&1 && break; sleep 0.1; done

"$BENCH_BUILD/bench/sigil-bench-image" "$work/src" bench "$size_mib" "$layers" >/dev/null
sigil=$BENCH_BUILD/sigil
"$sigil" copy "oci:$work/src:bench" "$reg/pull/img:bench" >/dev/null
sync

# Every run writes to a fresh repository or directory ($RANDOM per run), so nothing is skipped as present.
ours=$(best_of 3 bash -c "'$sigil' copy 'oci:$work/src:bench' '$reg/sigil'\$RANDOM\$RANDOM'/img:bench'")
# skopeo remembers where it saw each blob (its blob-info cache) and would mount instead of upload:
# forget that before each run, as sigil starts with no such knowledge.
forget="rm -f /var/lib/containers/cache/blob-info-cache-v1.* \$HOME/.local/share/containers/cache/blob-info-cache-v1.*"
theirs=$(best_of 3 bash -c "$forget; skopeo copy -q --dest-tls-verify=false 'oci:$work/src:bench' 'docker://$reg/skopeo'\$RANDOM\$RANDOM'/img:bench'")
report "copy ${size_mib} MiB layout → registry" "$ours" "$theirs" skopeo

ours=$(best_of 3 bash -c "d='$work/out-sigil-'\$RANDOM\$RANDOM; '$sigil' copy '$reg/pull/img:bench' oci:\$d:bench; rm -rf \$d")
theirs=$(best_of 3 bash -c "$forget; d='$work/out-skopeo-'\$RANDOM\$RANDOM; skopeo copy -q --src-tls-verify=false 'docker://$reg/pull/img:bench' oci:\$d:bench; rm -rf \$d")
report "copy ${size_mib} MiB registry → layout" "$ours" "$theirs" skopeo
