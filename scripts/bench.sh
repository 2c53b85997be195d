#!/bin/sh
# Start-up benchmark: jrunc (with and without its AOT cache) against runc and crun on the
# calls engines make most, printed as a markdown table: wall-clock mean ± sd in ms, and in
# parentheses the CPU time (user+sys, ms), which is steadier on a loaded machine.
#
#   scripts/bench.sh [RUNS]       (default 30 runs after 3 warm-ups; needs hyperfine)
#
# Scenarios: `--version`; `spec` into a temporary bundle (config.json removed before each run);
# `state` of a container that does not exist (an error path: one log line, exit 1); `run` of a
# busybox container running /bin/true (the whole lifecycle in one call, as root); and
# `create+start+delete`, the three calls an engine makes per container.
# JRUNC (default: bin/jrunc of this checkout) picks the jrunc to measure, e.g. an installed one.
set -eu
runs=${1:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
jrunc=${JRUNC:-$here/bin/jrunc}
command -v hyperfine >/dev/null || { echo "bench.sh: hyperfine is not installed" >&2; exit 1; }
tmp=$(mktemp -d)
# every cgroup the runs made goes too (the lifecycle scenarios share /jrunc-bench/ctr)
trap 'rm -rf "$tmp"; for d in /sys/fs/cgroup/*/jrunc-bench/ctr /sys/fs/cgroup/*/jrunc-bench /sys/fs/cgroup/jrunc-bench/ctr /sys/fs/cgroup/jrunc-bench; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done; true' EXIT
mkdir -p "$tmp/bundle" "$tmp/root"
# a busybox bundle for the lifecycle scenarios (the same config.json for every runtime)
"$here/scripts/make-bundle.sh" "$tmp/ctr" true >/dev/null
jq '.linux.cgroupsPath = "/jrunc-bench/ctr" | .ociVersion = "1.0.2"' "$tmp/ctr/config.json" > "$tmp/ctr/c" && mv "$tmp/ctr/c" "$tmp/ctr/config.json"

# name|command prefix (the runtime and its global options); one run env per row
set -- \
  "jrunc (AOT)|$jrunc --root $tmp/root/jrunc" \
  "jrunc (no AOT)|env JRUNC_NO_AOT=1 $jrunc --root $tmp/root/jrunc" \
  "runc|runc --root $tmp/root/runc" \
  "crun|crun --root $tmp/root/crun"

mean() { # CSV from hyperfine -> "wall mean ± sd (cpu user+sys)" in ms
  awk -F, 'NR == 2 { printf "%.1f ± %.1f (%.0f)", $2 * 1000, $3 * 1000, ($5 + $6) * 1000 }' "$1"
}

header="| scenario |"
sep="|---|"
for rt in "$@"; do
  name=${rt%%|*}
  command -v "$(printf '%s' "${rt#*|}" | awk '{print ($1 == "env") ? $3 : $1}')" >/dev/null 2>&1 || continue
  header="$header $name |"
  sep="$sep---|"
done
echo "$header"
echo "$sep"

for scenario in version spec state run lifecycle; do
  row="| \`$scenario\` |"
  for rt in "$@"; do
    cmd=${rt#*|}
    bin=$(printf '%s' "$cmd" | awk '{print ($1 == "env") ? $3 : $1}')
    command -v "$bin" >/dev/null 2>&1 || continue
    case $scenario in
      version) args="--version"; prep="" ;;
      spec) args="spec --bundle $tmp/bundle"; prep="rm -f $tmp/bundle/config.json" ;;
      state) args="state jrunc-bench-missing"; prep="" ;;
      run) args="run --bundle $tmp/ctr bench"; prep="" ;;
      lifecycle)
        # three processes per container, as engines do; hyperfine times the shell running them
        printf '%s\n' "#!/bin/sh" "$cmd create --bundle $tmp/ctr bench && $cmd start bench && $cmd delete --force bench" > "$tmp/lc.sh"
        chmod +x "$tmp/lc.sh"
        hyperfine -N -i -w 3 -r "$runs" --export-csv "$tmp/r.csv" "$tmp/lc.sh" >/dev/null 2>&1
        row="$row $(mean "$tmp/r.csv") |"
        continue ;;
    esac
    csv=$tmp/r.csv
    if [ -n "$prep" ]; then
      hyperfine -N -i -w 3 -r "$runs" --prepare "$prep" --export-csv "$csv" "$cmd $args" >/dev/null 2>&1
    else
      hyperfine -N -i -w 3 -r "$runs" --export-csv "$csv" "$cmd $args" >/dev/null 2>&1
    fi
    row="$row $(mean "$csv") |"
  done
  echo "$row"
done
echo
# the Java API in one warm JVM (the library as an embedder or a shim uses it)
echo "Java API, warm JVM: create+start+wait+delete of /bin/true, $((runs * 10)) after $((runs * 2)) warm-ups"
echo
echo "| threads | median ms | p90 ms | containers/s | JVM CPU ms per container |"
echo "|---|---|---|---|---|"
"$here/scripts/jdk25" >/dev/null && "$("$here/scripts/jdk25")/bin/java" --enable-native-access=ALL-UNNAMED \
  -cp "$here/runtime-cli/target/jrunc.jar" "$here/scripts/bench/WarmApi.java" "$tmp/ctr" $((runs * 10)) $((runs * 2))
rm -rf /tmp/jrunc-bench-warm
for d in /sys/fs/cgroup/*/jrunc-bench-warm /sys/fs/cgroup/jrunc-bench-warm; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
echo
echo "($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $runs runs each; jrunc: $("$jrunc" --version | sed -n 4p))"
