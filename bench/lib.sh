# Shared helpers for the benchmark scripts (sourced, not run).
BENCH_BUILD=${BENCH_BUILD:-$PWD/build-bench}

# Release build of sigil and the bench tools, quietly.
bench_build() {
  command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null
  cmake -S . -B "$BENCH_BUILD" -DCMAKE_BUILD_TYPE=Release -DSIGIL_TESTS=OFF -DSIGIL_BENCH=ON >/dev/null
  cmake --build "$BENCH_BUILD" -j"$(nproc)" >/dev/null
}

# Runs a command N times; prints "SECONDS PEAK_RSS_KIB" of the fastest run.
best_of() {
  local n=$1; shift
  local best="" line tf
  tf=$(mktemp)
  for _ in $(seq "$n"); do
    /usr/bin/time -o "$tf" -f '%e %M' "$@" >/dev/null 2>&1
    line=$(tail -n 1 "$tf")
    if [ -z "$best" ] || awk -v a="${line% *}" -v b="${best% *}" 'BEGIN{exit !(a<b)}'; then best=$line; fi
  done
  rm -f "$tf"
  echo "$best"
}

# report NAME "OURS_S OURS_KIB" "THEIRS_S THEIRS_KIB" PEER
report() {
  local name=$1 ours=$2 theirs=$3 peer=$4
  awk -v n="$name" -v p="$peer" -v os="${ours% *}" -v om="${ours#* }" -v ts="${theirs% *}" -v tm="${theirs#* }" \
    'BEGIN{printf "%-36s sigil %7.2fs %7.1f MiB | %-10s %7.2fs %7.1f MiB | ratio %.2f\n", n, os, om/1024, p, ts, tm/1024, (ts>0? os/ts : 0)}'
}
