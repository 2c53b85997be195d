#!/bin/bash
# Container start-to-exit under containerd, one run on one machine: runc's shim with runc,
# runc's shim with jrunc (BinaryName: a JVM per runtime call), and jrunc's own shim
# (containerd-shim-jrunc-v2: one JVM per shim) cold and warm. Printed as a markdown table.
#
#   scripts/bench-containerd.sh [RUNS]    (default 30; as root; needs containerd, ctr, hyperfine,
#                                          busybox-static)
#   BENCH_COLUMNS="runc-jrunc cold" scripts/bench-containerd.sh 10    (only those columns, e.g.
#                                          a cold-start A/B; also BENCH_PARALLEL=0: no 20-row)
#
# Rows:
# - `ctr run --rm IMAGE ID true`: median wall time over RUNS runs (2 warm-ups first).
# - 20 containers: 20 `ctr run --rm ... true` started at once, wall time until all have been
#   removed; median of 3 runs (1 warm-up).
# - CPU per container: the CPU time (user + system) containerd, its shims and the runtimes they
#   run spent on the `ctr run --rm` row, divided by its runs (warm-ups included): containerd runs
#   in a cpuacct cgroup of its own, which every shim and runtime process it starts inherits (the
#   containers' own processes are in their cgroups, not counted). Steadier than wall time on a
#   loaded machine: it is the work a container costs the node.
# Columns:
# - runc shim + runc; runc shim + jrunc (ctr run --runc-binary bin/jrunc);
# - jrunc shim, cold: every container gets a shim of its own, so each pays the JVM start (the
#   first container of a node, or of a pod);
# - jrunc shim, warm: a keeper container holds the shim of its group alive and every measured
#   container joins that group (annotation io.kubernetes.cri.sandbox-id, as the CRI plugin
#   sets it for a pod's containers), so the shim's JVM is already running.
#   With JRUNC_SHIM_GROUP=namespace containerd (and so the shim) is started with it: one shim
#   serves the namespace and stays after its last task, so after the warm-up runs both jrunc
#   columns measure a warm node-wide shim (headed so).
# The jrunc columns say "n/a" when bin/containerd-shim-jrunc-v2 or its jar is not there.
#
# Everything runs under a private containerd (own root, state and sockets in a temporary
# directory, CRI off, bin/ of this checkout first on its PATH; jrunc's shim keeps its state
# there too, JRUNC_SHIM_ROOT); containers' cgroups go under
# /jrunc-bench-ctrd-PID. Stopped and removed at exit, also on failure or Ctrl-C; the shims'
# sockets in /run/containerd/s are removed by the shims (the directories if this made them).
set -euo pipefail
runs=${1:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "bench-containerd.sh: run as root (containerd and its shims make containers)" >&2; exit 2; }
for t in containerd ctr hyperfine jq; do
  command -v "$t" >/dev/null || { echo "bench-containerd.sh: $t is not installed" >&2; exit 2; }
done
[ -x /bin/busybox ] || { echo "bench-containerd.sh: /bin/busybox is missing (Debian package busybox-static)" >&2; exit 2; }
[ -f "$here/runtime-cli/target/jrunc.jar" ] || { echo "bench-containerd.sh: build jrunc first (scripts/mvn -q -DskipTests package)" >&2; exit 2; }
shim_ok=
if [ -x "$here/bin/containerd-shim-jrunc-v2" ] && ls "$here"/runtime-shim/target/*.jar >/dev/null 2>&1; then shim_ok=1; fi

work=$(mktemp -d /tmp/jrunc-bench-ctrd.XXXXXX)
cg=/jrunc-bench-ctrd-$$
made_run=; [ -d /run/containerd ] || made_run=1
made_s=; [ -d /run/containerd/s ] || made_s=1
ctrd_pid=
C="ctr -a $work/sock -n bench"
image=localhost/jrunc-bench/busybox:latest

cleanup() {
  set +e
  if [ -n "$ctrd_pid" ] && kill -0 "$ctrd_pid" 2>/dev/null; then
    for t in $($C task ls -q 2>/dev/null); do $C task kill -s SIGKILL "$t" >/dev/null 2>&1; done
    sleep 0.5
    for t in $($C task ls -q 2>/dev/null); do $C task rm -f "$t" >/dev/null 2>&1; done
    for c in $($C container ls -q 2>/dev/null); do $C container rm "$c" >/dev/null 2>&1; done
    kill "$ctrd_pid"; wait "$ctrd_pid" 2>/dev/null
  fi
  # shims containerd started for us (by their -address) outlive it by design (a node-wide
  # jrunc shim stays for the next container): kill them, and remove the sockets they listen on
  for p in /proc/[0-9]*; do
    { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q -- "-address $work/sock " || continue
    pid=${p#/proc/}
    socks=$(ss -xlpH 2>/dev/null | awk -v p="pid=$pid," 'index($0, p) { print $5 }')
    kill -9 "$pid" 2>/dev/null
    for s in $socks; do case $s in /run/containerd/s/*) rm -f "$s" ;; esac; done
  done
  grep -o " $work/[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
  rm -rf --one-file-system "$work"
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$h${cg#/}" ] && find "$h${cg#/}" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  [ -n "$made_s" ] && rmdir /run/containerd/s 2>/dev/null
  [ -n "$made_run" ] && rmdir /run/containerd 2>/dev/null
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- a busybox image as an OCI layout (no registry needed) ---------------------------
blob() { # FILE -> moves it into the layout, prints "sha256:HEX SIZE"
  local h s
  h=$(sha256sum "$1" | cut -d' ' -f1); s=$(stat -c %s "$1")
  mv "$1" "$work/layout/blobs/sha256/$h"
  echo "sha256:$h $s"
}
mkdir -p "$work/rootfs/bin" "$work/layout/blobs/sha256"
(cd "$work/rootfs" && mkdir -p proc sys dev tmp etc root && cp /bin/busybox bin/ &&
  for a in $(/bin/busybox --list); do [ -e "bin/$a" ] || ln -s busybox "bin/$a"; done)
tar --numeric-owner --owner=0 --group=0 --sort=name -C "$work/rootfs" -cf "$work/layer.tar" .
read -r ld ls < <(blob "$work/layer.tar")
printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["%s"]}}' "$ld" >"$work/c.json"
read -r cd cs < <(blob "$work/c.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%s}]}' "$cd" "$cs" "$ld" "$ls" >"$work/m.json"
read -r md ms < <(blob "$work/m.json")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"io.containerd.image.name":"%s"}}]}' "$md" "$ms" "$image" >"$work/layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/layout/oci-layout"
tar -C "$work/layout" -cf "$work/image.tar" .

# --- the private containerd -----------------------------------------------------------
cat >"$work/config.toml" <<EOF
version = 2
root = "$work/root"
state = "$work/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$work/sock"
[ttrpc]
  address = "$work/sock.ttrpc"
EOF
# containerd in a cpuacct cgroup of its own (the CPU row), when cgroup v1 has that controller
acct=
[ -d /sys/fs/cgroup/cpuacct ] && mkdir "/sys/fs/cgroup/cpuacct/${cg#/}" "/sys/fs/cgroup/cpuacct/${cg#/}/containerd" 2>/dev/null \
  && acct=/sys/fs/cgroup/cpuacct/${cg#/}/containerd
env -i PATH="$here/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  JRUNC_SHIM_ROOT="$work/jrunc-shim-root" ${JRUNC_SHIM_GROUP:+JRUNC_SHIM_GROUP=$JRUNC_SHIM_GROUP} \
  sh -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs" || exit 1; shift; exec "$@"' sh "$acct" \
  containerd --config "$work/config.toml" >"$work/containerd.log" 2>&1 &
ctrd_pid=$!
for _ in $(seq 100); do $C version >/dev/null 2>&1 && break; sleep 0.1; done
$C version >/dev/null 2>&1 || { echo "containerd did not start:" >&2; tail -n 5 "$work/containerd.log" >&2; exit 1; }
$C image import "$work/image.tar" >/dev/null

# --- measuring --------------------------------------------------------------------------
F="--fifo-dir $work/fifo"
RUNC="--runtime io.containerd.runc.v2 $F --runc-root $work/runc-root"
declare -A opts=(
  [runc]="$RUNC"
  [runc-jrunc]="$RUNC --runc-binary $here/bin/jrunc"
  [cold]="--runtime io.containerd.jrunc.v2 $F"
  [warm]="--runtime io.containerd.jrunc.v2 $F --annotation io.kubernetes.cri.sandbox-id=bench-keeper"
)
cols=(runc runc-jrunc cold warm)
[ -n "${BENCH_COLUMNS:-}" ] && read -r -a cols <<<"$BENCH_COLUMNS"
for col in "${cols[@]}"; do
  [ -n "${opts[$col]:-}" ] || { echo "bench-containerd.sh: BENCH_COLUMNS: no column $col (runc runc-jrunc cold warm)" >&2; exit 2; }
done

# median NAME RUNS WARMUP COMMAND: hyperfine's median in ms
median() {
  hyperfine -N --style none --runs "$2" --warmup "$3" --export-json "$work/$1.json" "$4" >/dev/null 2>"$work/$1.err" ||
    { echo "bench-containerd.sh: $1 failed:" >&2; tail -n 5 "$work/$1.err" >&2; exit 1; }
  jq '.results[0].median * 1000 | round' "$work/$1.json"
}

# cpu: nanoseconds containerd's cgroup used so far
cpu() { if [ -n "$acct" ]; then cat "$acct/cpuacct.usage"; else echo 0; fi; }

declare -A one twenty cpus
for c in runc runc-jrunc cold warm; do one[$c]=-; twenty[$c]=-; cpus[$c]=-; done
for col in "${cols[@]}"; do
  case $col in cold | warm) [ -n "$shim_ok" ] || { one[$col]=n/a; twenty[$col]=n/a; cpus[$col]=n/a; continue; } ;; esac
  if [ "$col" = warm ]; then
    $C run -d ${opts[$col]} --cgroup "$cg/bench-keeper" "$image" bench-keeper sleep 100000 >/dev/null
  fi
  u0=$(cpu)
  one[$col]=$(median "$col-1" "$runs" 2 "$C run --rm ${opts[$col]} --cgroup $cg/b-$col $image b-$col true")
  u1=$(cpu)
  [ -z "$acct" ] || cpus[$col]=$(( (u1 - u0) / 1000000 / (runs + 2) ))
  if [ "${BENCH_PARALLEL:-1}" != 0 ]; then
    par="for i in \$(seq 20); do $C run --rm ${opts[$col]} --cgroup $cg/p-$col-\$i $image p-$col-\$i true >/dev/null & done; wait"
    twenty[$col]=$(median "$col-20" 3 1 "sh -c '$par'")
  fi
  if [ "$col" = warm ]; then
    $C task kill -s SIGKILL bench-keeper >/dev/null; sleep 0.5
    $C task rm bench-keeper >/dev/null 2>&1; $C container rm bench-keeper >/dev/null
  fi
done

v() { case $1 in n/a | -) echo "$1" ;; *) echo "$1 ms" ;; esac; }
echo "containerd $(containerd --version | awk '{print $3}'), $(nproc) CPUs, $runs runs${JRUNC_SHIM_GROUP:+, JRUNC_SHIM_GROUP=$JRUNC_SHIM_GROUP}"
echo
if [ "${JRUNC_SHIM_GROUP:-}" = namespace ]; then
  # one shim per namespace that stays after its last task: only the node's first container is cold
  echo "| | runc shim + runc | runc shim + jrunc | jrunc shim, node-wide | jrunc shim, node-wide, pod annotation |"
else
  echo "| | runc shim + runc | runc shim + jrunc | jrunc shim, cold | jrunc shim, warm |"
fi
echo "|---|---|---|---|---|"
echo "| \`ctr run --rm IMAGE ID true\` (median) | $(v "${one[runc]}") | $(v "${one[runc-jrunc]}") | $(v "${one[cold]}") | $(v "${one[warm]}") |"
[ -z "$acct" ] || echo "| CPU per container (containerd, shims, runtimes) | $(v "${cpus[runc]}") | $(v "${cpus[runc-jrunc]}") | $(v "${cpus[cold]}") | $(v "${cpus[warm]}") |"
[ "${BENCH_PARALLEL:-1}" = 0 ] || echo "| 20 in parallel, started and removed (median of 3) | $(v "${twenty[runc]}") | $(v "${twenty[runc-jrunc]}") | $(v "${twenty[cold]}") | $(v "${twenty[warm]}") |"
[ -n "$shim_ok" ] || echo "(jrunc shim columns: no bin/containerd-shim-jrunc-v2 and runtime-shim/target/*.jar in this checkout)"
