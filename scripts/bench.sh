#!/bin/sh
# The one start-up benchmark (issue 14): jrunc against runc and crun, per command, in one run.
#
#   scripts/bench.sh [RUNS]     (default 30 runs per command after 3 warm-ups; as root; needs
#                                hyperfine, jq, busybox-static, runc and crun where present)
#
# Part 1, one hyperfine call per command with every runtime in it (so a loaded machine hurts
# all alike), on the same busybox bundle: median wall time and mean CPU (user+sys) in ms, and
# the ratios of jrunc to runc and to the floor, a bare `java` hello world (scripts/bench/Hello.java)
# with bin/jrunc's flags and an AOT cache of its own, measured in that same call (and the same
# hello world from the boot class path, as bin/jrunc starts jrunc: floor-boot). Commands: --version; spec (into an empty
# bundle); state and exec (`true`) of a running container; create, start, kill (KILL) and
# delete (--force) of one container (hyperfine's --prepare puts it in the state each needs);
# run of /bin/true; and create with podman's default seccomp profile (when containers-common is
# installed), as engines create (jrunc keeps the compiled filter: the warm-ups fill its cache).
# Part 2, memory: the RSS of a created container waiting for start (every process in its
# cgroup), and the smallest memory limit (linux.resources.memory.limit) under which `run` of
# /bin/true exits 0: bisected from 8 MiB down to 64 KiB steps.
# Part 3, the Java API in one warm JVM (scripts/bench/WarmApi.java): after RUNS*2 warm-ups (at
# least 40), then in another JVM after JRUNC_BENCH_SETTLED (1000) warm-ups, the JIT settled.
# JRUNC (default: bin/jrunc of this checkout) picks the jrunc to measure, e.g. an installed one.
set -eu
# crun (1.8) refuses a hybrid layout whose unified hierarchy holds a controller (here: hugetlb).
# So that all three run, and on the same layout, the bench runs in a private mount namespace
# without /sys/fs/cgroup/unified: pure cgroup v1 for every runtime. The host is untouched.
if [ -z "${JRUNC_BENCH_NS:-}" ] && grep -q ' /sys/fs/cgroup/unified ' /proc/self/mountinfo; then
  JRUNC_BENCH_NS=1 exec unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified && exec sh "$0" "$@"' "$0" "$@"
fi
runs=${1:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
jrunc=${JRUNC:-$here/bin/jrunc}
for t in hyperfine jq; do
  command -v $t >/dev/null || { echo "bench.sh: $t is not installed" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "bench.sh: run as root (real containers)" >&2; exit 1; }
jhome=$("$here/scripts/jdk25")
tmp=$(mktemp -d /tmp/jrunc-bench.XXXXXX)
runtimes="jrunc"
for r in runc crun; do command -v $r >/dev/null 2>&1 && runtimes="$runtimes $r"; done
rtcmd() { # the command line of runtime $1, with its own state root
  case $1 in
    jrunc) echo "$jrunc --root $tmp/root/jrunc" ;;
    *) echo "$1 --root $tmp/root/$1" ;;
  esac
}
cleanup() {
  for r in $runtimes; do
    for id in bench-s bench-c bench-r bench-m; do $(rtcmd $r) delete --force $id >/dev/null 2>&1 || true; done
  done
  rm -rf "$tmp" /tmp/jrunc-bench-warm
  # the leaves went with delete; the parents, in each hierarchy (failures are fine here)
  for d in /sys/fs/cgroup/*/jrunc-bench/* /sys/fs/cgroup/jrunc-bench/* /sys/fs/cgroup/*/jrunc-bench /sys/fs/cgroup/jrunc-bench \
    /sys/fs/cgroup/*/jrunc-bench-warm/* /sys/fs/cgroup/*/jrunc-bench-warm /sys/fs/cgroup/jrunc-bench-warm/* /sys/fs/cgroup/jrunc-bench-warm; do
    if [ -d "$d" ]; then rmdir "$d" 2>/dev/null || true; fi
  done
}
[ -n "${BENCH_KEEP:-}" ] || trap cleanup EXIT
trap 'exit 130' INT TERM

# --- bundles: one busybox rootfs; per runtime a running container (state, exec), one to
# create/start/kill/delete, one to run; each with a cgroup of its own under /jrunc-bench
"$here/scripts/make-bundle.sh" "$tmp/base" sleep 100000 >/dev/null
# (runc 1.1 refuses the ociVersion of jrunc's spec, 1.3.0; nothing here needs more than 1.0.2)
jq '.ociVersion = "1.0.2"' "$tmp/base/config.json" >"$tmp/c" && mv "$tmp/c" "$tmp/base/config.json"
mkdir -p "$tmp/empty"
bundle() { # RUNTIME NAME ARGS-JSON -> $tmp/RUNTIME/NAME
  mkdir -p "$tmp/$1/$2"
  ln -s "$tmp/base/rootfs" "$tmp/$1/$2/rootfs" # (root.path is absolute; WarmApi wants BUNDLE/rootfs)
  jq --arg root "$tmp/base/rootfs" --arg cg "/jrunc-bench/$1-$2" --argjson args "$3" \
    '.root.path = $root | .linux.cgroupsPath = $cg | .process.args = $args' "$tmp/base/config.json" >"$tmp/$1/$2/config.json"
}
# podman's default seccomp profile (containers-common), as engines give one to every container
profile=/usr/share/containers/seccomp.json
for r in $runtimes; do
  bundle $r long '["sleep","100000"]'
  bundle $r sleep '["sleep","100000"]'
  bundle $r once '["true"]'
  if [ -r "$profile" ]; then
    bundle $r seccomp '["sleep","100000"]'
    jq --slurpfile p "$profile" '.linux.seccomp = $p[0]' "$tmp/$r/seccomp/config.json" >"$tmp/c" && mv "$tmp/c" "$tmp/$r/seccomp/config.json"
  fi
  c=$(rtcmd $r)
  $c create --bundle "$tmp/$r/long" bench-s && $c start bench-s
  printf '%s\n' "$c delete --force bench-c >/dev/null 2>&1; true" >"$tmp/$r/gone"
  printf '%s\n' "$c delete --force bench-c >/dev/null 2>&1; $c create --bundle $tmp/$r/sleep bench-c" >"$tmp/$r/created"
  printf '%s\n' "$c delete --force bench-c >/dev/null 2>&1; $c create --bundle $tmp/$r/sleep bench-c && $c start bench-c" >"$tmp/$r/started"
  printf '%s\n' "$c delete --force bench-r >/dev/null 2>&1; true" >"$tmp/$r/norun"
  printf '%s\n' "rm -f $tmp/empty/config.json" >"$tmp/$r/nospec"
done

# --- the floor: hello world with bin/jrunc's JVM flags (keep in step with bin/jrunc) and its own AOT cache
# (bin/jrunc runs every command measured here with -Xint instead of C1 since round 7, and a hello
# world starts ~1 ms sooner without the compiler thread: 23.3 -> 22.3 ms, hyperfine 60 runs; so
# the floor runs with -Xint too)
flags="-Xlog:disable -Xlog:all=warning:stderr -Xlog:aot=off,cds=off:stderr -XX:+UseSerialGC -Xint -XX:-UsePerfData -XX:-MaxFDLimit -XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining -XX:-AOTAdapterCaching --enable-native-access=ALL-UNNAMED --add-exports=java.base/jdk.internal.foreign.abi=ALL-UNNAMED --add-exports=java.base/jdk.internal.foreign.abi.x64=ALL-UNNAMED --add-exports=java.base/jdk.internal.access=ALL-UNNAMED"
mkdir "$tmp/hello"
"$jhome/bin/javac" -d "$tmp/hello" "$here/scripts/bench/Hello.java"
"$jhome/bin/jar" cf "$tmp/hello/hello.jar" -C "$tmp/hello" Hello.class
# shellcheck disable=SC2086
"$jhome/bin/java" -XX:AOTCacheOutput="$tmp/hello/hello.aot" $flags -cp "$tmp/hello/hello.jar" Hello >/dev/null 2>&1
floorcmd="$jhome/bin/java -XX:AOTCache=$tmp/hello/hello.aot $flags -cp $tmp/hello/hello.jar Hello"
# The floor is a Java program started the usual way, from the class path. bin/jrunc starts
# jrunc from the boot class path instead (round 22: the application class loader opens the jar
# in Java before it defines a class, the boot loader does not), which no hello world on the
# class path does; the same hello world started so is measured too (floor-boot, its own
# cache), so that each command's ratio to a JVM started as jrunc's is there as well.
# shellcheck disable=SC2086
"$jhome/bin/java" -XX:AOTCacheOutput="$tmp/hello/boot.aot" $flags -Xbootclasspath/a:"$tmp/hello/hello.jar" Hello >/dev/null 2>&1
bootcmd="$jhome/bin/java -XX:AOTCache=$tmp/hello/boot.aot $flags -Xbootclasspath/a:$tmp/hello/hello.jar Hello"

# jrunc's AOT caches in use: a build that rewrote jrunc.jar without training them (e.g.
# scripts/vm-*.sh, which package with -Djrunc.skipAot=true) leaves caches older than the jar,
# which the launcher then silently skips: every command measured 3x slower. Refused here
# (JRUNC_BENCH_NO_AOT=1 measures such a build on purpose).
if [ -z "${JRUNC_BENCH_NO_AOT:-}" ] && ! JRUNC_JAVA_OPTS=-Xlog:aot=info "$jrunc" --version 2>&1 | grep -q 'Opened AOT cache'; then
  echo "bench.sh: $jrunc runs without its AOT cache (older than jrunc.jar, or missing): rebuild first" >&2
  echo "  (scripts/mvn -o -DskipTests install, as root with busybox-static installed), or set JRUNC_BENCH_NO_AOT=1" >&2
  exit 1
fi

# --- part 1
# scenario -> "ARGS|PREPARE" (PREPARE: a script in $tmp/RUNTIME, or none)
scenario() {
  case $1 in
    version) echo "--version|" ;;
    spec) echo "spec --bundle $tmp/empty|nospec" ;;
    state) echo "state bench-s|" ;;
    create) echo "create --bundle \$B/sleep bench-c|gone" ;;
    create-seccomp) echo "create --bundle \$B/seccomp bench-c|gone" ;;
    start) echo "start bench-c|created" ;;
    kill) echo "kill bench-c KILL|started" ;;
    delete) echo "delete --force bench-c|started" ;;
    run) echo "run --bundle \$B/once bench-r|norun" ;;
    exec) echo "exec bench-s true|" ;;
  esac
}
target() { # issue 14's targets
  case $1 in
    version | spec | state | start | kill | delete) echo "≤ 1.3× floor" ;;
    create) echo "≤ 2× floor" ;;
    run) echo "≤ 3× runc" ;;
    *) echo "" ;;
  esac
}
hf() { hyperfine -N -w 3 -r "$runs" --export-json "$tmp/r.json" "$@" >/dev/null 2>&1 </dev/null; }
med() { jq -r --arg n "$1" '.results[] | select(.command == $n) | (.median * 1000)' "$tmp/r.json"; }
cpu() { jq -r --arg n "$1" '.results[] | select(.command == $n) | ((.user + .system) * 1000)' "$tmp/r.json"; }

hf -n floor "$floorcmd" -n floor-boot "$bootcmd"
floor=$(med floor) floorcpu=$(cpu floor) fboot=$(med floor-boot) fbootcpu=$(cpu floor-boot)

header="| command |"; sep="|---|"
for r in $runtimes; do header="$header $r |"; sep="$sep---:|"; done
echo "Medians of wall time, ms (mean CPU user+sys, ms); $runs runs after 3 warm-ups."
echo
echo "$header jrunc / runc | jrunc / floor | CPU: jrunc / floor | target | jrunc / floor-boot |"
echo "$sep---:|---:|---:|---|---:|"
printf '| floor: `java` hello world (AOT, same flags) | %.1f (%.0f) |' "$floor" "$floorcpu"
for r in $runtimes; do [ $r = jrunc ] || printf ' |'; done
echo " | 1.00× | 1.00× | | |"
printf '| floor-boot: the same from the boot class path, as bin/jrunc starts | %.1f (%.0f) |' "$fboot" "$fbootcpu"
for r in $runtimes; do [ $r = jrunc ] || printf ' |'; done
echo " | | | | 1.00× |"
floors= bfloors=
scenarios="version spec state create start kill delete run exec"
[ -r "$profile" ] && scenarios="$scenarios create-seccomp"
# JRUNC_BENCH_ONLY="run create": only those commands, and no parts 2 and 3 (for a quick look; a
# table to quote is a whole run)
[ -n "${JRUNC_BENCH_ONLY:-}" ] && scenarios=$JRUNC_BENCH_ONLY
for s in $scenarios; do
  spec=$(scenario $s)
  args=${spec%%|*} prep=${spec#*|}
  set --
  for r in $runtimes; do
    a=$(printf '%s' "$args" | sed "s|\\\$B|$tmp/$r|g")
    [ -n "$prep" ] && set -- "$@" --prepare "sh $tmp/$r/$prep"
    set -- "$@" -n "$r" "$(rtcmd $r) $a"
  done
  # the floor again, in the same hyperfine call: this host's JVM start-up drifts by 10-25% within
  # minutes, so each command is held to the floor measured beside it, not to the one above
  [ -n "$prep" ] && set -- "$@" --prepare true
  set -- "$@" -n floor "$floorcmd"
  [ -n "$prep" ] && set -- "$@" --prepare true
  set -- "$@" -n floor-boot "$bootcmd"
  row="| \`$s\` |"
  if ! hf "$@"; then
    echo "$row hyperfine failed (a runtime's command or its preparation fails: run it by hand) |"
    continue
  fi
  for r in $runtimes; do row="$row $(printf '%.1f (%.0f)' "$(med $r)" "$(cpu $r)") |"; done
  j=$(med jrunc)
  if echo " $runtimes " | grep -q " runc "; then
    row="$row $(awk -v a="$j" -v b="$(med runc)" 'BEGIN { printf "%.1f×", a / b }') |"
  else
    row="$row |"
  fi
  f=$(med floor)
  floors="$floors $f"
  bfloors="$bfloors $(med floor-boot)"
  row="$row $(awk -v a="$j" -v b="$f" 'BEGIN { printf "%.2f×", a / b }') |"
  row="$row $(awk -v a="$(cpu jrunc)" -v b="$(cpu floor)" 'BEGIN { printf "%.2f×", a / b }') | $(target $s) |"
  row="$row $(awk -v a="$j" -v b="$(med floor-boot)" 'BEGIN { printf "%.2f×", a / b }') |"
  echo "$row"
done
echo
range() { awk '{ lo = hi = $1; for (i = 2; i <= NF; i++) { if ($i < lo) lo = $i; if ($i > hi) hi = $i } printf "%.1f-%.1f ms", lo, hi }'; }
echo "(jrunc / floor: to the floor measured in the same hyperfine call as the command, $(echo $floors | range),"
echo "floor-boot $(echo $bfloors | range); the floor rows: their own call, before them.)"

[ -z "${JRUNC_BENCH_ONLY:-}" ] || exit 0 # part 1 only

# --- part 2: memory
rss() { # RUNTIME: summed VmRSS (kB) of the processes in bench-m's cgroup (v1: the memory hierarchy; v2: the unified one)
  procs=/sys/fs/cgroup/memory/jrunc-bench/$1-m/cgroup.procs
  [ -r "$procs" ] || procs=/sys/fs/cgroup/jrunc-bench/$1-m/cgroup.procs
  t=0
  for p in $(cat "$procs"); do
    k=$(awk '/^VmRSS:/ { print $2 }' /proc/$p/status 2>/dev/null || true)
    t=$((t + ${k:-0}))
  done
  echo $t
}
runs_under() { # RUNTIME LIMIT-BYTES: does `run` of /bin/true exit 0 under that memory limit?
  jq --argjson m "$2" --arg cg "/jrunc-bench/$1-m" '.linux.cgroupsPath = $cg | .linux.resources.memory = {limit: $m}' \
    "$tmp/$1/once/config.json" >"$tmp/$1/mem/config.json"
  ok=1
  timeout 30 $(rtcmd $1) run --bundle "$tmp/$1/mem" bench-m >/dev/null 2>&1 </dev/null || ok=0
  $(rtcmd $1) delete --force bench-m >/dev/null 2>&1 || true
  [ $ok = 1 ]
}
echo
echo "| memory | $(echo $runtimes | sed 's/ / | /g') |"
echo "|---|$(for r in $runtimes; do printf -- '---:|'; done)"
row="| RSS of a created container waiting for \`start\` (kB) |"
for r in $runtimes; do
  mkdir -p "$tmp/$r/mem"
  jq --arg cg "/jrunc-bench/$r-m" '.linux.cgroupsPath = $cg' "$tmp/$r/sleep/config.json" >"$tmp/$r/mem/config.json"
  c=$(rtcmd $r)
  if $c create --bundle "$tmp/$r/mem" bench-m >/dev/null 2>&1 </dev/null; then
    row="$row $(rss $r) |"
  else
    row="$row create failed |"
  fi
  $c delete --force bench-m >/dev/null 2>&1 || true
done
echo "$row"
row="| smallest memory limit for \`run\` of /bin/true (KiB) |"
for r in $runtimes; do
  unit=65536 lo=0 hi=128 # in 64 KiB units: 0 fails (no limit that small), 8 MiB should pass
  if runs_under $r $((hi * unit)); then
    while [ $((hi - lo)) -gt 1 ]; do
      mid=$(((lo + hi) / 2))
      if runs_under $r $((mid * unit)); then hi=$mid; else lo=$mid; fi
    done
    row="$row $((hi * 64)) |"
  else
    row="$row > 8192 |"
  fi
done
echo "$row"

# --- part 3: the Java API in one warm JVM (the library as an embedder or a shim uses it)
# issue 14 asks for 200 containers after the warm-up: at least that many, whatever RUNS is
warmn=$((runs * 10)); [ "$warmn" -ge 200 ] || warmn=200
warmup=$((warmn / 5))
echo
echo "Java API, warm JVM: create+start+wait+delete of /bin/true, $warmn after $warmup warm-ups"
echo
echo "| threads | median ms | p90 ms | containers/s | JVM CPU ms per container | of it, JIT compilers |"
echo "|---|---|---|---|---|---|"
"$jhome/bin/java" --enable-native-access=ALL-UNNAMED -cp "$here/runtime-cli/target/jrunc.jar" \
  "$here/scripts/bench/WarmApi.java" "$tmp/jrunc/once" "$warmn" "$warmup"
# The same once the JIT has settled: code run once per container is interpreted until ~200
# calls (C1) and C2-compiled from thousands, and the compilers' own work competes with the
# containers on a 2-core host meanwhile (round 12: C2 busy 3-4 s of a run of ~640 containers).
# JRUNC_BENCH_SETTLED warm-ups (default 1000; 0: skipped), in a JVM of its own.
settled=${JRUNC_BENCH_SETTLED:-1000}
if [ "$settled" -gt 0 ]; then
  echo
  echo "The same after $settled warm-ups (the JIT settled), $warmn measured:"
  echo
  echo "| threads | median ms | p90 ms | containers/s | JVM CPU ms per container | of it, JIT compilers |"
  echo "|---|---|---|---|---|---|"
  "$jhome/bin/java" --enable-native-access=ALL-UNNAMED -cp "$here/runtime-cli/target/jrunc.jar" \
    "$here/scripts/bench/WarmApi.java" "$tmp/jrunc/once" "$warmn" "$settled"
fi
echo
echo "($(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg); jrunc: $("$jrunc" --version | sed -n 4p); $(runc --version 2>/dev/null | head -1); $(crun --version 2>/dev/null | head -1))"
