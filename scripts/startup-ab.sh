#!/bin/sh
# A/B of jrunc's start-up per command: each scenario runs both variants in ONE hyperfine call
# (-N -w 3 -r RUNS), so a shared, loaded machine hurts both alike. Prints per scenario and
# variant the median wall time and the mean user+sys CPU, in ms. As root (real containers).
#
#   scripts/startup-ab.sh "A-ENV" "B-ENV" [SCENARIO...]
#
# A variant is a list of environment assignments for bin/jrunc, e.g. "JRUNC_JAR=/tmp/a/jrunc.jar"
# (a jar and its jrunc.aot side by side) or "JRUNC_JAVA_OPTS=-Xint"; "-" is none.
# JRUNC_BIN=/other/checkout/bin/jrunc in a variant measures that checkout's launcher and jar
# instead (when the JVM's flags differ: a cache is only used by a JVM started like its training).
# Scenarios: version spec state create start kill delete run exec (default: all), and
# delete-stopped (delete of a container killed before). RUNS=15.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
a=$1 b=$2; shift 2
[ "$a" = - ] && a=
[ "$b" = - ] && b=
runs=${RUNS:-15}
[ $# -gt 0 ] || set -- version spec state create start kill delete run exec
tmp=$(mktemp -d /tmp/startup-ab.XXXXXX)
root=$tmp/root
# a cgroup parent of this run's own: two runs at once (other checkouts) must not share leaves
cg=startup-ab-$$
jr="$here/bin/jrunc --root $root"
launcher() { # VARIANT: the launcher it names with JRUNC_BIN=, else this checkout's
  l=$here/bin/jrunc
  for w in $1; do
    case $w in JRUNC_BIN=*) l=${w#JRUNC_BIN=} ;; esac
  done
  printf '%s --root %s' "$l" "$root"
}
ja=$(launcher "$a")
jb=$(launcher "$b")
cleanup() {
  for id in startup-ab-s startup-ab-c startup-ab-r; do $jr delete --force $id >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
  # the leaves went with delete; the parent, in each hierarchy (set -e: failures are fine here)
  for d in /sys/fs/cgroup/*/$cg /sys/fs/cgroup/$cg; do
    if [ -d "$d" ]; then rmdir "$d" 2>/dev/null || true; fi
  done
}
trap cleanup EXIT
"$here/scripts/make-bundle.sh" "$tmp/sleep" sleep 600 >/dev/null
jq '.linux.cgroupsPath = "/'"$cg"'/c"' "$tmp/sleep/config.json" >"$tmp/c" && mv "$tmp/c" "$tmp/sleep/config.json"
mkdir "$tmp/long" "$tmp/once"
ln -s "$tmp/sleep/rootfs" "$tmp/long/rootfs"
ln -s "$tmp/sleep/rootfs" "$tmp/once/rootfs"
jq '.linux.cgroupsPath = "/'"$cg"'/s"' "$tmp/sleep/config.json" >"$tmp/long/config.json"
jq '.linux.cgroupsPath = "/'"$cg"'/r" | .process.args = ["true"]' "$tmp/sleep/config.json" >"$tmp/once/config.json"
# a running container for state and exec
$jr create --bundle "$tmp/long" startup-ab-s && $jr start startup-ab-s
c=startup-ab-c
printf '%s\n' "$jr delete --force $c >/dev/null 2>&1; $jr create --bundle $tmp/sleep $c" >"$tmp/created"
printf '%s\n' "$jr delete --force $c >/dev/null 2>&1; $jr create --bundle $tmp/sleep $c && $jr start $c" >"$tmp/started"
printf '%s\n' "$jr delete --force $c >/dev/null 2>&1; $jr create --bundle $tmp/sleep $c && $jr start $c && $jr kill $c KILL && sleep 0.3" >"$tmp/stopped"
printf '%s\n' "$jr delete --force $c >/dev/null 2>&1; true" >"$tmp/gone"
printf '%s\n' "$jr delete --force startup-ab-r >/dev/null 2>&1; true" >"$tmp/norun"
mkdir "$tmp/spec"
printf '%s\n' "rm -f $tmp/spec/config.json" >"$tmp/nospec"
echo "| scenario | variant | wall median ms | CPU user+sys ms |"
echo "|---|---|---|---|"
for s in "$@"; do
  prep=
  case $s in
    version) args="--version" ;;
    spec) args="spec --bundle $tmp/spec"; prep=nospec ;;
    state) args="state startup-ab-s" ;;
    create) args="create --bundle $tmp/sleep $c"; prep=gone ;;
    start) args="start $c"; prep=created ;;
    kill) args="kill $c KILL"; prep=started ;;
    delete) args="delete --force $c"; prep=started ;;
    delete-stopped) args="delete $c"; prep=stopped ;; # as engines: kill, wait, then delete
    run) args="run --bundle $tmp/once startup-ab-r"; prep=norun ;;
    exec) args="exec startup-ab-s true" ;;
    *) echo "startup-ab.sh: unknown scenario $s" >&2; exit 2 ;;
  esac
  set -- -N -w 3 -r "$runs" -i --export-json "$tmp/r.json"
  [ -n "$prep" ] && set -- "$@" --prepare "sh $tmp/$prep" --prepare "sh $tmp/$prep"
  hyperfine "$@" -n A "env $a $ja $args" -n B "env $b $jb $args" >/dev/null 2>&1 </dev/null
  jq -r --arg s "$s" '.results[] | "| \($s) | \(.command) | \(.median * 1000 | floor) | \((.user + .system) * 1000 | floor) |"' "$tmp/r.json"
done
echo
echo "(A: ${a:-default}; B: ${b:-default}; $runs runs; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
