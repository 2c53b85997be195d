#!/bin/sh
# Runs jrunc under real engines (podman; containerd, Docker and buildah on request) and checks
# what engines expect of a runc replacement.
#
#   scripts/engines-smoke.sh [RUNTIME]      RUNTIME defaults to this repository's bin/jrunc;
#                                           pass `runc` or `crun` to compare.
#   scripts/engines-smoke.sh --compare [RUNTIME [REFERENCE]]
#                                           runs every check with RUNTIME (default bin/jrunc),
#                                           then with REFERENCE (default runc), prints both
#                                           results side by side with RUNTIME's error text and
#                                           exits 1 if a check fails with RUNTIME but passes
#                                           with REFERENCE. The table lists the checks that
#                                           failed with either (SMOKE_TABLE=all: every check).
#
# Builds a busybox image from Debian's busybox-static (/bin/busybox) when it is missing, runs
# each check, prints PASS/FAIL lines and exits 1 if any check failed. Run as root, it first
# installs the Debian packages a selected engine needs when their commands are missing
# (podman, containerd, docker.io, buildah, busybox-static; runc for --compare). Everything it starts
# is stopped at the end, also on failure or Ctrl-C.
#
# All of it runs in a network namespace of its own (unshare --net): podman's default bridge
# network, with netavark's iptables chains and IP forwarding, is made there, never on the host.
# podman: containers are named jrunc-smoke-<pid>-* (pods jrunc-smoke-<pid>-*); only those are
# removed at the end (podman rm -f by name), and the image unless SMOKE_KEEP=1. The host has no
# systemd (cgroupfs manager, podman's cgroups go under its own libpod_parent) and this sandbox
# lacks CAP_SYS_RESOURCE: podman's default rlimits (nofile 1048576, nproc above podman's own
# 32768) cannot be set by ANY runtime, so a containers.conf with rlimits at the current hard
# limits is used (CONTAINERS_CONF, not the host's files).
#
# containerd and Docker use one private containerd (own root, state and sockets under the
# temporary directory, CRI plugin off). Only its shims' sockets go to /run/containerd/s: that
# directory is a constant compiled into containerd 1.6 (their names hash our own socket's
# path, so they cannot meet a system containerd's); the directory is removed again if this
# script made it.
# - containerd: the image is imported (podman save | ctr image import) and ctr runs it through
#   the io.containerd.runc.v2 shim with the runtime as its runc binary (ctr run --runc-binary),
#   its state (--runc-root) and IO fifos (--fifo-dir) in the temporary directory, cgroups under
#   /jrunc-smoke-ctr-<pid>.
# - buildah (shares podman's storage and image): buildah run and buildah bud with --runtime.
# - Docker: a private dockerd (Debian's 20.10) with its own --data-root, --exec-root, pid file,
#   socket, daemon.json and trust key (never /var/lib/docker, /run/docker.sock,
#   /etc/docker), no iptables, IP forwarding, masquerading or bridge (--network none for
#   every container), cgroups under /jrunc-smoke-docker-<pid>, and the runtime registered
#   with --add-runtime NAME=RUNTIME (runc: dockerd's built-in runc). The image is a
#   `docker import` of the busybox rootfs. dockerd makes the empty directory /run/docker/plugins
#   at start; it is removed again if this script made it.
#
# Environment: SMOKE_ENGINES="podman containerd docker buildah" selects the engines (default
# podman; SMOKE_CONTAINERD=1, SMOKE_DOCKER=1 and SMOKE_BUILDAH=1 add one); SMOKE_ONLY="name1
# name2" runs only those checks; SMOKE_KEEP=1 keeps the podman image; SMOKE_RESULTS=FILE
# appends one line per check (name, PASS or FAIL, what it got, its stderr; tab-separated),
# which --compare uses.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)

# need COMMAND PACKAGE: installs the Debian PACKAGE when COMMAND is missing (root only)
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] || { echo "needs $1 (Debian package $2)" >&2; exit 2; }
  echo "installing $2 (for $1)" >&2
  [ -n "${apt_updated:-}" ] || { apt-get update -q >/dev/null 2>&1; apt_updated=1; }
  apt_log=${TMPDIR:-/tmp}/jrunc-smoke-apt.$$
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" >"$apt_log" 2>&1; then
    echo "cannot install $2:" >&2
    tail -n 5 "$apt_log" >&2
    rm -f "$apt_log"
    exit 2
  fi
  rm -f "$apt_log"
}

if [ "${1:-}" = --compare ]; then
  runtime=${2:-$here/bin/jrunc} reference=${3:-runc}
  for r in "$runtime" "$reference"; do case $r in runc | crun) need "$r" "$r" ;; esac; done
  res=$(mktemp -d /tmp/jrunc-compare.XXXXXX)
  trap 'rm -rf "$res"' EXIT
  trap 'exit 130' INT TERM
  echo "== $runtime"
  SMOKE_RESULTS=$res/a "$0" "$runtime"
  echo "== $reference"
  SMOKE_RESULTS=$res/b "$0" "$reference"
  a=${runtime##*/} b=${reference##*/}
  [ "$a" = "$b" ] && b="$b (reference)"
  echo
  printf '| check | %s | %s | %s: what it got, its stderr |\n|---|---|---|---|\n' "$a" "$b" "$a"
  # rows in the order the checks ran with RUNTIME, then checks that ran only with REFERENCE
  awk -F '\t' 'NR == FNR { ra[$1] = $2; got[$1] = $3; err[$1] = $4; order[++n] = $1; next }
    { rb[$1] = $2; if (!($1 in ra)) order[++n] = $1 }
    END {
      for (i = 1; i <= n; i++) {
        k = order[i]; x = (k in ra) ? ra[k] : "-"; y = (k in rb) ? rb[k] : "-"
        why = (x == "FAIL") ? got[k] (err[k] == "" ? "" : "; " err[k]) : ""
        gsub(/\|/, "\\|", why)
        if (all || x != "PASS" || y != "PASS") printf "| %s | %s | %s | %s |\n", k, x, y, why
        else same++
        if (x == "FAIL" && y == "PASS") { worse++; names = names " " k }
        if (x == "PASS" && y == "FAIL") better++
      }
      if (same) printf "(%d more checks pass with both; SMOKE_TABLE=all lists them too)\n", same
      printf "\n%d checks fail with %s but pass with %s:%s\n", worse + 0, A, B, names
      printf "%d checks pass with %s but fail with %s\n", better + 0, A, B
      exit worse > 0
    }' A="$a" B="$b" all="$([ "${SMOKE_TABLE:-}" = all ] && echo 1)" "$res/a" "$res/b"
  exit $?
fi

runtime=${1:-$here/bin/jrunc}
case $runtime in runc | crun) need "$runtime" "$runtime" ;; esac
case $runtime in /*) ;; *) runtime=$(command -v "$runtime") || { echo "no runtime $1" >&2; exit 2; } ;; esac
engines=${SMOKE_ENGINES:-podman${SMOKE_CONTAINERD:+ containerd}${SMOKE_DOCKER:+ docker}${SMOKE_BUILDAH:+ buildah}}
has() { case " $engines " in *" $1 "*) return 0 ;; esac; return 1; }
need busybox busybox-static
# containerd imports podman's image; buildah shares podman's storage
if has podman || has containerd || has buildah; then need podman podman; fi
# podman run --init runs catatonit, only a Recommends of podman: the install above leaves it out
has podman && need /usr/libexec/podman/catatonit catatonit
has buildah && need buildah buildah
has containerd && need containerd containerd
has docker && need dockerd docker.io
# Every engine runs in a network namespace of this script's own: podman's default network
# (netavark's bridge, its iptables chains, net.ipv4.ip_forward) exists only there and goes with
# it, and nothing of the host's network is touched (the installs above used the host's).
if [ -z "${JRUNC_SMOKE_NETNS:-}" ]; then
  JRUNC_SMOKE_NETNS=1 exec unshare --net sh "$0" "$@"
fi
ip link set lo up 2>/dev/null || true
image=localhost/jrunc-smoke-busybox:latest
work=$(mktemp -d /tmp/jrunc-smoke.XXXXXX)
pfx=jrunc-smoke-$$

hard() { awk -v l="$1" 'index($0, l) == 1 { print $(NF - 1) }' /proc/self/limits; }
nofile=$(hard 'Max open files')
# podman lowers its own RLIMIT_NPROC to 32768 for root before running conmon and the runtime
nproc=$(hard 'Max processes')
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
cat >"$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
cgroup_manager = "cgroupfs"
EOF
export CONTAINERS_CONF="$work/containers.conf"
P="podman --runtime $runtime"

# rm_cgroup PATH: removes the cgroup PATH and every cgroup below it, in every hierarchy
rm_cgroup() {
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$h${1#/}" ] && find "$h${1#/}" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  return 0
}

ctrd_pid= dockerd_pid= cg=/jrunc-smoke-ctr-$$ dcg=/jrunc-smoke-docker-$$
made_run_containerd= made_run_docker= made_libpod_parent=
[ -e /run/containerd ] || made_run_containerd=1
# podman (cgroupfs manager) leaves its per-container and conmon cgroups, empty, under
# /libpod_parent: removed at the end when this run made that parent (a host's own are not touched)
[ -e /sys/fs/cgroup/memory/libpod_parent ] || [ -e /sys/fs/cgroup/libpod_parent ] || made_libpod_parent=1
[ -e /run/docker ] || made_run_docker=1
cleanup() {
  if [ -n "$dockerd_pid" ]; then
    ids=$($D ps -aq 2>/dev/null)
    [ -n "$ids" ] && $D rm -f $ids >/dev/null 2>&1
    kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null
    rm_cgroup "$dcg"
    [ -n "$made_run_docker" ] && rmdir /run/docker/plugins /run/docker 2>/dev/null
  fi
  if [ -n "$ctrd_pid" ]; then
    for t in $($CTR task ls -q 2>/dev/null); do $CTR task kill -s SIGKILL "$t" >/dev/null 2>&1; done
    sleep 1
    for t in $($CTR container ls -q 2>/dev/null); do $CTR task rm -f "$t" >/dev/null 2>&1; $CTR container rm "$t" >/dev/null 2>&1; done
    kill "$ctrd_pid" 2>/dev/null && wait "$ctrd_pid" 2>/dev/null
    rm_cgroup "$cg"
    [ -n "$made_run_containerd" ] && rmdir /run/containerd/s /run/containerd 2>/dev/null
  fi
  if has podman; then
    for c in $(podman ps -a --format '{{.Names}}' | grep "^$pfx-"); do podman rm -f -t 0 "$c" >/dev/null 2>&1; done
    for p in $(podman pod ps --format '{{.Name}}' | grep "^$pfx-"); do podman pod rm -f -t 0 "$p" >/dev/null 2>&1; done
    [ -n "$made_libpod_parent" ] && rm_cgroup /libpod_parent
  fi
  if has buildah; then
    for b in $(buildah containers --format '{{.ContainerName}}' | grep "^$pfx-"); do buildah rm "$b" >/dev/null 2>&1; done
    for i in $(buildah images --format '{{.Name}}' | grep "/$pfx-"); do buildah rmi -f "$i" >/dev/null 2>&1; done
  fi
  if has podman || has containerd || has buildah; then [ -n "${SMOKE_KEEP:-}" ] || podman rmi "$image" >/dev/null 2>&1; fi
  # whatever an engine left mounted under the work directory (overlay roots, netns binds)
  # goes first, so that rm never walks into a mount
  awk -v w="$work" '$5 == w || index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the busybox rootfs as a tarball: podman and docker import it
r=$work/rootfs
mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/proc" "$r/sys" "$r/dev" "$r/root" "$r/home/u"
cp /bin/busybox "$r/bin/busybox" || { echo "needs busybox-static (/bin/busybox)" >&2; exit 2; }
for a in $("$r/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000:u:/home/u:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
printf 'root:x:0:\nu:x:1000:\nnobody:x:65534:\n' >"$r/etc/group"
chmod 1777 "$r/tmp"
tar -C "$r" -c . >"$work/rootfs.tar"
rm -rf "$r"
image_path='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
if { has podman || has containerd || has buildah; } && ! podman image exists "$image"; then
  podman import --change 'CMD ["/bin/sh"]' --change "$image_path" "$work/rootfs.tar" "$image" >"$work/import.log" 2>&1 \
    || { cat "$work/import.log" >&2; exit 2; }
fi

pass=0 fail=0 failed=
# check NAME EXPECTED COMMAND...: runs COMMAND, compares "rc=<status> out=<stdout>" with EXPECTED
# (a shell pattern).
check() {
  name=$1 want=$2
  shift 2
  case " ${SMOKE_ONLY:-$name} " in *" $name "*) ;; *) return 0 ;; esac
  out=$("$@" 2>"$work/err")
  got="rc=$? out=$(printf '%s' "$out" | tr '\r\n' '  ' | sed 's/ *$//')"
  case $got in
    $want) pass=$((pass + 1)) res=PASS; echo "PASS $name" ;;
    *) fail=$((fail + 1)) res=FAIL failed="$failed $name"
       echo "FAIL $name: want [$want] got [$got]"; sed 's/^/    /' "$work/err" | head -n 5 ;;
  esac
  if [ -n "${SMOKE_RESULTS:-}" ]; then
    printf '%s\t%s\t%s\t%s\n' "$name" "$res" "$got" "$(head -n 5 "$work/err" | tr '\t\r\n' '   ' | cut -c 1-400 | sed 's/ *$//')" >>"$SMOKE_RESULTS"
  fi
}
c() { echo "$pfx-$1"; }
# wait_for SECONDS WANT COMMAND...: runs COMMAND every half second until it prints WANT or
# SECONDS have passed; prints what it printed last
wait_for() {
  wf_n=$(($1 * 2)) wf_want=$2
  shift 2
  while :; do
    wf_out=$("$@" 2>&1)
    [ "$wf_out" = "$wf_want" ] || [ "$wf_n" -le 0 ] && break
    wf_n=$((wf_n - 1))
    sleep 0.5
  done
  printf '%s\n' "$wf_out"
}
# in_pty COMMAND: runs the shell COMMAND with a pty as its terminal (script), exits with its status
in_pty() { script -qec "$1" /dev/null </dev/null; }
# loopback: a server and a client in one network namespace talk over 127.0.0.1 (busybox nc).
# The server's stdin stays open (an EOF there can end it before it reads the socket); it is
# killed if the client cannot connect, so that nothing waits forever.
loopback='sleep 10 | nc -l -p 8080 & s=$!; sleep 1; echo over-lo | nc 127.0.0.1 8080 || kill $s; wait $s'

podman_checks() {
  check run-echo 'rc=0 out=hi' $P run --rm "$image" echo hi
  check exit-code 'rc=3 out=' $P run --rm "$image" sh -c 'exit 3'
  check not-found 'rc=127 out=' $P run --rm "$image" /nonexistent
  check not-executable 'rc=126 out=' $P run --rm "$image" /etc/passwd
  # a file the kernel refuses to exec after start (no #!: ENOEXEC): runc's init says why on the
  # container's stderr, which podman shows; so must jrunc's
  mkdir -p "$work/nsb" && printf 'echo ran\n' >"$work/nsb/noshebang" && chmod 755 "$work/nsb/noshebang"
  check exec-format-error 'rc=1 out=exec /x/noshebang: exec format error' \
    sh -c "$P run --rm -v $work/nsb:/x:ro $image /x/noshebang 2>&1"
  check stdin 'rc=0 out=piped' sh -c "echo piped | $P run -i --rm $image cat"
  check user 'rc=0 out=1000 1000' $P run --rm --user 1000:1000 "$image" sh -c 'echo $(id -u) $(id -g)'
  check user-name 'rc=0 out=1000' $P run --rm --user u "$image" id -u
  check env-workdir 'rc=0 out=bar /tmp' $P run --rm -e FOO=bar -w /tmp "$image" sh -c 'echo $FOO $(pwd)'
  check hostname 'rc=0 out=smokehost' $P run --rm --hostname smokehost "$image" hostname
  check read-only 'rc=1 out=ro' $P run --rm --read-only "$image" sh -c 'touch /x 2>/dev/null || { echo ro; exit 1; }'
  check read-only-tmp 'rc=0 out=ok' $P run --rm --read-only "$image" sh -c 'touch /tmp/x && echo ok'
  mkdir -p "$work/vol" && echo fromhost >"$work/vol/f"
  check volume 'rc=0 out=fromhost' $P run --rm -v "$work/vol:/data" "$image" sh -c 'cat /data/f; echo fromctr >/data/g'
  check volume-write 'rc=0 out=fromctr' cat "$work/vol/g"
  check pids-limit 'rc=0 out=50' $P run --rm --pids-limit 50 "$image" sh -c 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'
  check memory 'rc=0 out=67108864' $P run --rm --memory 64m "$image" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
  check cpus 'rc=0 out=50000 100000' $P run --rm --cpus 0.5 "$image" sh -c 'echo $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max)'
  check network-none 'rc=0 out=lo' $P run --rm --network none "$image" sh -c 'ls /sys/class/net'
  check network-default 'rc=0 out=*eth0*' $P run --rm "$image" sh -c 'ls /sys/class/net'
  check cap-drop 'rc=1 out=' $P run --rm --cap-drop all "$image" chown 1 /tmp
  check privileged 'rc=0 out=ok' $P run --rm --privileged "$image" sh -c 'ls /dev/null >/dev/null && echo ok'
  check seccomp 'rc=0 out=denied' $P run --rm "$image" sh -c 'unshare -m true 2>/dev/null && echo allowed || echo denied'
  check network-none-loopback 'rc=0 out=over-lo' $P run --rm --network none "$image" sh -c "$loopback"

  # detached lifecycle
  d=$(c detached)
  check run-detached 'rc=0 out=*' $P run -d --name "$d" "$image" sleep 1000
  check inspect-running 'rc=0 out=running' podman inspect -f '{{.State.Status}}' "$d"
  check exec 'rc=0 out=inside' $P exec "$d" echo inside
  check exec-exit 'rc=5 out=' $P exec "$d" sh -c 'exit 5'
  check exec-env-user 'rc=0 out=1000 x' $P exec -u 1000 -e E=x "$d" sh -c 'echo $(id -u) $E'
  check exec-workdir 'rc=0 out=/tmp' $P exec -w /tmp "$d" pwd
  check exec-stdin 'rc=0 out=piped' sh -c "echo piped | $P exec -i $d cat"
  check top 'rc=0 out=*sleep 1000*' $P top "$d"
  check pause 'rc=0 out=*' $P pause "$d"
  check inspect-paused 'rc=0 out=paused' podman inspect -f '{{.State.Status}}' "$d"
  check unpause 'rc=0 out=*' $P unpause "$d"
  check inspect-unpaused 'rc=0 out=running' podman inspect -f '{{.State.Status}}' "$d"
  check exec-after-unpause 'rc=0 out=ok' $P exec "$d" echo ok
  check stop 'rc=0 out=*' $P stop -t 2 "$d"
  check inspect-stopped 'rc=0 out=exited' podman inspect -f '{{.State.Status}}' "$d"
  check restart 'rc=0 out=*' $P start "$d"
  check inspect-restarted 'rc=0 out=running' podman inspect -f '{{.State.Status}}' "$d"
  check rm-force 'rc=0 out=*' $P rm -f -t 0 "$d"

  # signals and wait
  k=$(c kill)
  check kill-setup 'rc=0 out=*' $P run -d --name "$k" "$image" sh -c 'trap "exit 42" USR1; while :; do sleep 0.2; done'
  sleep 1
  check kill-usr1 'rc=0 out=*' $P kill -s USR1 "$k"
  check wait-exit 'rc=0 out=42' podman wait "$k"
  check logs 'rc=0 out=' podman logs "$k"
  check rm 'rc=0 out=*' $P rm "$k"
  k=$(c kill9)
  check kill9-setup 'rc=0 out=*' $P run -d --name "$k" "$image" sleep 1000
  check kill-9 'rc=0 out=*' $P kill -s KILL "$k"
  check wait-137 'rc=0 out=137' podman wait "$k"
  check rm-kill9 'rc=0 out=*' $P rm "$k"

  l=$(c logs)
  check logs-setup 'rc=0 out=*' $P run -d --name "$l" "$image" sh -c 'echo out1; echo err1 >&2'
  check logs-wait 'rc=0 out=0' podman wait "$l"
  check logs-both 'rc=0 out=out1 err1' sh -c "podman logs $l 2>&1"
  check rm-logs 'rc=0 out=*' $P rm "$l"

  # more of what podman users pass
  check sysctl 'rc=0 out=1' $P run --rm --sysctl net.ipv4.ip_forward=1 "$image" cat /proc/sys/net/ipv4/ip_forward
  check tmpfs 'rc=0 out=*tmpfs*' $P run --rm --tmpfs /scratch:size=1m "$image" sh -c 'grep " /scratch " /proc/mounts'
  check shm-size 'rc=0 out=*size=2048k*' $P run --rm --shm-size 2m "$image" sh -c 'grep " /dev/shm " /proc/mounts'
  check device 'rc=0 out=ok' $P run --rm --device /dev/fuse "$image" sh -c 'test -c /dev/fuse && echo ok'
  check cap-add 'rc=0 out=ok' $P run --rm --cap-add NET_ADMIN --network none "$image" sh -c 'ip link set lo down && echo ok'
  check no-new-privs 'rc=0 out=1' $P run --rm --security-opt no-new-privileges "$image" sh -c 'grep NoNewPrivs /proc/self/status | tr -dc 0-9'
  check group-add 'rc=0 out=*1234*' $P run --rm --user 1000 --group-add 1234 "$image" id -G
  check ulimit 'rc=0 out=100' $P run --rm --ulimit nofile=100:100 --ulimit "nproc=$nproc:$nproc" "$image" sh -c 'ulimit -n'
  check oom-score-adj 'rc=0 out=500' $P run --rm --oom-score-adj 500 "$image" cat /proc/self/oom_score_adj
  check entrypoint 'rc=0 out=ep' $P run --rm --entrypoint /bin/echo "$image" ep
  check pid-host 'rc=0 out=notone' $P run --rm --pid host "$image" sh -c 'test $$ = 1 && echo one || echo notone'
  check ipc-host 'rc=0 out=same' sh -c "test \"\$($P run --rm --ipc host $image readlink /proc/self/ns/ipc)\" = \"\$(readlink /proc/self/ns/ipc)\" && echo same"
  check cgroupns-private 'rc=0 out=*' $P run --rm --cgroupns private "$image" cat /proc/self/cgroup
  check uidmap 'rc=0 out=0 100000' $P run --rm --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$image" sh -c 'echo $(id -u) $(awk "{print \$2}" /proc/self/uid_map)'
  check uidmap-file 'rc=0 out=ok' $P run --rm --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$image" sh -c 'touch /tmp/f && echo ok'
  check exec-detached 'rc=0 out=*' sh -c "$P run -d --name $(c execd) $image sleep 100 >/dev/null && $P exec -d $(c execd) sh -c 'echo d >/tmp/d' && sleep 1 && $P exec $(c execd) cat /tmp/d && $P rm -f -t 0 $(c execd)"

  # runtime calls beyond the lifecycle
  u=$(c update)
  check update-setup 'rc=0 out=*' $P run -d --name "$u" --memory 64m "$image" sleep 1000
  check update 'rc=0 out=*' $P update --memory 128m "$u"
  check update-applied 'rc=0 out=134217728' $P exec "$u" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
  check exec-not-found 'rc=127 out=' $P exec "$u" /nonexistent
  check exec-not-executable 'rc=126 out=' $P exec "$u" /etc/passwd
  check restart-running 'rc=0 out=*' $P restart -t 0 "$u"
  check inspect-after-restart 'rc=0 out=running' podman inspect -f '{{.State.Status}}' "$u"
  check stats 'rc=0 out=*' podman stats --no-stream --format '{{.MemUsage}}' "$u"
  check exec-stopped-setup 'rc=0 out=*' $P stop -t 0 "$u"
  check exec-stopped 'rc=255 out=' $P exec "$u" true
  check kill-stopped 'rc=125 out=' $P kill "$u"
  check rm-update 'rc=0 out=*' $P rm "$u"
  check init 'rc=0 out=*podman-init*' $P run --rm --init "$image" cat /proc/1/cmdline
  check healthcheck 'rc=0 out=*' sh -c "$P run -d --name $(c health) --health-cmd 'true' $image sleep 100 >/dev/null && $P healthcheck run $(c health) && $P rm -f -t 0 $(c health) >/dev/null"

  # pods: the infra container holds the namespaces, the others join them by path
  pod=$pfx-pod
  check pod-create 'rc=0 out=*' $P pod create --infra-image "$image" --infra-command "sleep 1000" --name "$pod"
  check pod-run 'rc=0 out=*' $P run -d --pod "$pod" --name "$(c inpod)" "$image" sleep 1000
  check pod-shares-net 'rc=0 out=same' sh -c "test \"\$($P exec $(c inpod) readlink /proc/self/ns/net)\" = \"\$($P exec $pod-infra readlink /proc/self/ns/net 2>/dev/null || podman pod inspect -f '{{.InfraContainerID}}' $pod | xargs -I{} $P exec {} readlink /proc/self/ns/net)\" && echo same"
  check pod-rm 'rc=0 out=*' podman pod rm -f -t 0 "$pod"
  check net-container 'rc=0 out=same' sh -c "$P run -d --name $(c netsrc) $image sleep 100 >/dev/null && a=\$($P run --rm --network container:$(c netsrc) $image readlink /proc/self/ns/net) && b=\$($P exec $(c netsrc) readlink /proc/self/ns/net) && $P rm -f -t 0 $(c netsrc) >/dev/null && test \"\$a\" = \"\$b\" && echo same"

  # a pod without a network plugin: the runtime makes the infra container's network namespace,
  # the others join it, and two of them talk over 127.0.0.1
  lp=$pfx-pod-none
  check pod-none-create 'rc=0 out=*' $P pod create --network none --infra-image "$image" --infra-command "sleep 1000" --name "$lp"
  check pod-none-server 'rc=0 out=*' $P run -d --pod "$lp" --name "$(c lo-server)" "$image" sh -c 'sleep 30 | nc -l -p 8080'
  sleep 1
  check pod-none-client 'rc=0 out=' $P run --rm --pod "$lp" "$image" sh -c 'echo over-lo | nc 127.0.0.1 8080'
  check pod-none-loopback 'rc=0 out=over-lo' wait_for 10 over-lo podman logs "$(c lo-server)"
  check pod-none-rm 'rc=0 out=*' podman pod rm -f -t 0 "$lp"
}
containerd_start() {
  cd=$work/ctrd
  mkdir -p "$cd"
  cat >"$cd/config.toml" <<EOF
version = 2
root = "$cd/root"
state = "$cd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$cd/sock"
[ttrpc]
  address = "$cd/sock.ttrpc"
EOF
  containerd --config "$cd/config.toml" >"$cd/log" 2>&1 &
  ctrd_pid=$!
  CTR="ctr -a $cd/sock"
  i=0
  while [ ! -S "$cd/sock" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
  [ -S "$cd/sock" ] || { echo "containerd did not start:" >&2; tail -n 5 "$cd/log" >&2; exit 2; }
}

containerd_checks() {
  podman save --format docker-archive -o "$work/image.tar" "$image" >/dev/null 2>&1
  check ctr-import 'rc=0 out=*' $CTR image import "$work/image.tar"
  # ctr's defaults for the IO fifos and the runtime's --root are under /run/containerd
  R="--runc-binary $runtime --runc-root $cd/runc --fifo-dir $cd/fifo"
  # containers' cgroups under a parent of our own, $cg (ctr's default is /default/<id>)
  check ctr-run 'rc=0 out=hi' $CTR run --rm $R --cgroup "$cg/ctr-echo" "$image" ctr-echo echo hi
  check ctr-exit 'rc=3 out=' $CTR run --rm $R --cgroup "$cg/ctr-exit" "$image" ctr-exit sh -c 'exit 3'
  check ctr-not-found 'rc=1 out=' $CTR run --rm $R --cgroup "$cg/ctr-nf" "$image" ctr-nf /nonexistent
  $CTR container rm ctr-nf >/dev/null 2>&1
  check ctr-env-cwd 'rc=0 out=bar /tmp' $CTR run --rm $R --cgroup "$cg/ctr-env" --env FOO=bar --cwd /tmp "$image" ctr-env sh -c 'echo $FOO $(pwd)'
  check ctr-read-only 'rc=0 out=ro' $CTR run --rm $R --cgroup "$cg/ctr-ro" --read-only "$image" ctr-ro sh -c 'touch /x 2>/dev/null || echo ro'
  check ctr-seccomp 'rc=0 out=denied' $CTR run --rm $R --cgroup "$cg/ctr-sc" --seccomp "$image" ctr-sc sh -c 'unshare -m true 2>/dev/null && echo allowed || echo denied'
  check ctr-detached 'rc=0 out=*' $CTR run -d $R --cgroup "$cg/ctr-d" --memory-limit 67108864 "$image" ctr-d sleep 1000
  check ctr-memory 'rc=0 out=67108864' cat "/sys/fs/cgroup/memory$cg/ctr-d/memory.limit_in_bytes"
  check ctr-exec 'rc=4 out=inexec' $CTR task exec --fifo-dir "$cd/fifo" --exec-id e1 ctr-d sh -c 'echo inexec; exit 4'
  check ctr-ps 'rc=0 out=*' $CTR task ps ctr-d
  check ctr-pause 'rc=0 out=*' $CTR task pause ctr-d
  check ctr-paused 'rc=0 out=*PAUSED*' $CTR task ls
  check ctr-resume 'rc=0 out=*' $CTR task resume ctr-d
  check ctr-metrics 'rc=0 out=*memory.usage_in_bytes*' $CTR task metrics ctr-d
  check ctr-kill 'rc=0 out=*' $CTR task kill -s SIGKILL ctr-d
  sleep 1
  check ctr-stopped 'rc=0 out=*STOPPED*' $CTR task ls
  check ctr-task-rm 'rc=0 out=*' $CTR task rm ctr-d
  check ctr-rm 'rc=0 out=*' $CTR container rm ctr-d
  check ctr-loopback 'rc=0 out=over-lo' $CTR run --rm $R --cgroup "$cg/ctr-lo" "$image" ctr-lo sh -c "$loopback"
}

# buildah: RUN steps of `buildah run` and `buildah bud` go through the runtime (--runtime)
buildah_checks() {
  B="buildah run --runtime $runtime"
  b=$(c buildah)
  check buildah-from 'rc=0 out=*' buildah from --name "$b" "$image"
  check buildah-run 'rc=0 out=hi' $B "$b" echo hi
  check buildah-run-exit 'rc=3 out=' $B "$b" sh -c 'exit 3'
  check buildah-run-user-env 'rc=0 out=1000 bar /tmp' $B --user 1000 --env FOO=bar --workingdir /tmp "$b" sh -c 'echo $(id -u) $FOO $(pwd)'
  check buildah-run-loopback 'rc=0 out=over-lo' $B --network none "$b" sh -c "$loopback"
  check buildah-rm 'rc=0 out=*' buildah rm "$b"
  mkdir -p "$work/bud"
  printf 'FROM %s\nRUN echo built >/built\nRUN cat /built\n' "$image" >"$work/bud/Containerfile"
  check buildah-bud 'rc=0 out=*built*' buildah bud --runtime "$runtime" --network none -t "localhost/$pfx-built" "$work/bud"
  printf 'FROM %s\nRUN %s\n' "$image" "$loopback" >"$work/bud/Containerfile.lo"
  check buildah-bud-loopback 'rc=0 out=*over-lo*' buildah bud --runtime "$runtime" --network none -t "localhost/$pfx-built-lo" -f "$work/bud/Containerfile.lo" "$work/bud"
}

docker_start() {
  dk=$work/docker
  mkdir -p "$dk"
  # not the host's /etc/docker/daemon.json; the trust key (default /etc/docker/key.json) has
  # no command-line flag in 20.10
  printf '{"deprecated-key-path": "%s"}\n' "$dk/key.json" >"$dk/daemon.json"
  docker=/usr/bin/docker # Debian's client, the daemon's version (a newer client may be first on PATH)
  [ -x "$docker" ] || docker=docker
  D="$docker -H unix://$dk/sock"
  drt=${runtime##*/}
  add="--add-runtime $drt=$runtime"
  [ "$drt" = runc ] && add=
  dockerd --config-file "$dk/daemon.json" --data-root "$dk/data" --exec-root "$dk/exec" \
    --pidfile "$dk/pid" -H "unix://$dk/sock" --containerd "$cd/sock" \
    --cgroup-parent "$dcg" \
    --iptables=false --ip-masq=false --ip-forward=false --bridge=none --userland-proxy=false \
    $add >"$dk/log" 2>&1 &
  dockerd_pid=$!
  i=0
  while ! $D version >/dev/null 2>&1 && kill -0 "$dockerd_pid" 2>/dev/null && [ $i -lt 60 ]; do sleep 0.5; i=$((i + 1)); done
  $D version >/dev/null 2>&1 || { echo "dockerd did not start:" >&2; tail -n 5 "$dk/log" >&2; exit 2; }
}

docker_checks() {
  di=jrunc-smoke-busybox:latest
  check docker-import 'rc=0 out=*' $D import --change 'CMD ["/bin/sh"]' --change "$image_path" "$work/rootfs.tar" "$di"
  R="$D run --runtime $drt --network none"
  check docker-run-echo 'rc=0 out=hi' $R --rm "$di" echo hi
  check docker-exit-code 'rc=3 out=' $R --rm "$di" sh -c 'exit 3'
  check docker-not-found 'rc=127 out=' $R --rm "$di" /nonexistent
  check docker-not-executable 'rc=126 out=' $R --rm "$di" /etc/passwd
  mkdir -p "$work/nsb" && printf 'echo ran\n' >"$work/nsb/noshebang" && chmod 755 "$work/nsb/noshebang"
  check docker-exec-format-error 'rc=1 out=exec /x/noshebang: exec format error' \
    sh -c "$R --rm -v $work/nsb:/x:ro $di /x/noshebang 2>&1"
  check docker-stdin 'rc=0 out=piped' sh -c "echo piped | $R -i --rm $di cat"
  check docker-tty 'rc=7 out=*/dev/pts/*' in_pty "$R -t --rm $di sh -c 'tty; exit 7'"
  check docker-user 'rc=0 out=1000 1000' $R --rm --user 1000:1000 "$di" sh -c 'echo $(id -u) $(id -g)'
  check docker-env-workdir 'rc=0 out=bar /tmp' $R --rm -e FOO=bar -w /tmp "$di" sh -c 'echo $FOO $(pwd)'
  check docker-read-only 'rc=1 out=ro' $R --rm --read-only "$di" sh -c 'touch /x 2>/dev/null || { echo ro; exit 1; }'
  check docker-memory 'rc=0 out=67108864' $R --rm --memory 64m "$di" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
  check docker-pids-limit 'rc=0 out=50' $R --rm --pids-limit 50 "$di" sh -c 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'
  check docker-seccomp 'rc=0 out=denied' $R --rm "$di" sh -c 'unshare -m true 2>/dev/null && echo allowed || echo denied'
  check docker-loopback 'rc=0 out=over-lo' $R --rm "$di" sh -c "$loopback"
  mkdir -p "$work/dvol" && echo fromhost >"$work/dvol/f"
  check docker-volume 'rc=0 out=fromhost' $R --rm -v "$work/dvol:/data" "$di" sh -c 'cat /data/f; echo fromctr >/data/g'
  check docker-volume-write 'rc=0 out=fromctr' cat "$work/dvol/g"
  check docker-tmpfs 'rc=0 out=*tmpfs*' $R --rm --tmpfs /scratch:size=1m "$di" sh -c 'grep " /scratch " /proc/mounts'
  check docker-shm-size 'rc=0 out=*size=2048k*' $R --rm --shm-size 2m "$di" sh -c 'grep " /dev/shm " /proc/mounts'
  check docker-cap-drop 'rc=1 out=' $R --rm --cap-drop all "$di" chown 1 /tmp
  # not --privileged: dockerd asks for every capability it knows, and this sandbox's bounding
  # set lacks CAP_SYS_RESOURCE, so no runtime can start it here (runc: "unable to apply caps")
  check docker-cap-add 'rc=0 out=ok' $R --rm --cap-add NET_ADMIN "$di" sh -c 'ip link set lo down && echo ok'
  check docker-device 'rc=0 out=ok' $R --rm --device /dev/fuse "$di" sh -c 'test -c /dev/fuse && echo ok'
  check docker-sysctl 'rc=0 out=1' $R --rm --sysctl net.ipv4.ip_forward=1 "$di" cat /proc/sys/net/ipv4/ip_forward
  check docker-ulimit 'rc=0 out=100' $R --rm --ulimit nofile=100:100 "$di" sh -c 'ulimit -n'
  check docker-oom-score-adj 'rc=0 out=500' $R --rm --oom-score-adj 500 "$di" cat /proc/self/oom_score_adj
  check docker-pid-host 'rc=0 out=notone' $R --rm --pid host "$di" sh -c 'test $$ = 1 && echo one || echo notone'

  # detached: exec, top, stats, pause, update, stop and start again
  d=$(c docker-d)
  check docker-run-detached 'rc=0 out=*' $R -d --name "$d" --memory 64m --memory-swap 128m "$di" sleep 1000
  check docker-inspect-running 'rc=0 out=running' $D inspect -f '{{.State.Status}}' "$d"
  check docker-exec 'rc=0 out=inside' $D exec "$d" echo inside
  check docker-exec-exit 'rc=4 out=' $D exec "$d" sh -c 'exit 4'
  check docker-exec-stdin 'rc=0 out=piped' sh -c "echo piped | $D exec -i $d cat"
  check docker-exec-tty 'rc=0 out=*/dev/pts/*' in_pty "$D exec -t $d tty"
  check docker-exec-user-env 'rc=0 out=1000 x /tmp' $D exec -u 1000 -e E=x -w /tmp "$d" sh -c 'echo $(id -u) $E $(pwd)'
  # docker exec reports every start failure as 126 (docker run: 127 for a missing file)
  check docker-exec-not-found 'rc=126 out=*' $D exec "$d" /nonexistent
  check docker-exec-detached 'rc=0 out=d' sh -c "$D exec -d $d sh -c 'echo d >/tmp/d' && sleep 1 && $D exec $d cat /tmp/d"
  check docker-top 'rc=0 out=*sleep 1000*' $D top "$d"
  check docker-stats 'rc=0 out=[1-9]*B / *B' $D stats --no-stream --format '{{.MemUsage}}' "$d"
  check docker-pause 'rc=0 out=*' $D pause "$d"
  check docker-inspect-paused 'rc=0 out=paused' $D inspect -f '{{.State.Status}}' "$d"
  check docker-unpause 'rc=0 out=*' $D unpause "$d"
  check docker-inspect-unpaused 'rc=0 out=running' $D inspect -f '{{.State.Status}}' "$d"
  check docker-exec-after-unpause 'rc=0 out=ok' $D exec "$d" echo ok
  check docker-update 'rc=0 out=*' $D update --memory 128m --memory-swap 256m "$d"
  check docker-update-applied 'rc=0 out=134217728' $D exec "$d" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
  check docker-stop 'rc=0 out=*' $D stop -t 1 "$d"
  check docker-inspect-stopped 'rc=0 out=exited 137' $D inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$d"
  check docker-start 'rc=0 out=*' $D start "$d"
  check docker-inspect-started 'rc=0 out=running' $D inspect -f '{{.State.Status}}' "$d"
  check docker-restart 'rc=0 out=*' $D restart -t 0 "$d"
  check docker-exec-after-restart 'rc=0 out=ok' $D exec "$d" echo ok
  check docker-rm-force 'rc=0 out=*' $D rm -f "$d"

  # signals, wait, logs
  k=$(c docker-kill)
  check docker-kill-setup 'rc=0 out=*' $R -d --name "$k" "$di" sh -c 'trap "exit 42" USR1; while :; do sleep 0.2; done'
  sleep 1
  check docker-kill-usr1 'rc=0 out=*' $D kill -s USR1 "$k"
  check docker-wait-42 'rc=0 out=42' $D wait "$k"
  check docker-kill9-setup 'rc=0 out=*' $D start "$k"
  check docker-kill-9 'rc=0 out=*' $D kill "$k"
  check docker-wait-137 'rc=0 out=137' $D wait "$k"
  l=$(c docker-logs)
  check docker-logs-setup 'rc=0 out=*' $R -d --name "$l" "$di" sh -c 'echo out1; echo err1 >&2'
  check docker-logs-wait 'rc=0 out=0' $D wait "$l"
  check docker-logs-stdout 'rc=0 out=out1' $D logs "$l"
  check docker-logs-stderr 'rc=0 out=err1' sh -c "$D logs $l 2>&1 >/dev/null"

  # restart policy: exits 1, restarted twice, then left exited
  rp=$(c docker-restart-policy)
  check docker-restart-policy-run 'rc=0 out=*' $R -d --name "$rp" --restart on-failure:2 "$di" sh -c 'exit 1'
  check docker-restart-policy 'rc=0 out=exited 2' wait_for 60 'exited 2' $D inspect -f '{{.State.Status}} {{.RestartCount}}' "$rp"

  # healthcheck: `true` every second, run by dockerd through exec
  h=$(c docker-health)
  check docker-health-run 'rc=0 out=*' $R -d --name "$h" --health-cmd true --health-interval 1s "$di" sleep 1000
  check docker-healthy 'rc=0 out=healthy' wait_for 30 healthy $D inspect -f '{{.State.Health.Status}}' "$h"
  check docker-rm-all 'rc=0 out=*' sh -c "$D rm -f $k $l $rp $h"
}

has podman && podman_checks
has buildah && buildah_checks
if has containerd || has docker; then containerd_start; fi
has containerd && containerd_checks
if has docker; then docker_start; docker_checks; fi

echo "passed $pass, failed $fail${failed:+:$failed} (runtime $runtime; engines $engines)"
[ "$fail" = 0 ]
