#!/bin/sh
# Runs jrunc under a real engine (podman) and checks what engines expect of a runc replacement.
#
#   scripts/engines-smoke.sh [RUNTIME]      RUNTIME defaults to this repository's bin/jrunc;
#                                           pass `runc` or `crun` to compare.
#
# Sets up localhost/jrunc-smoke-busybox from Debian's busybox-static (/bin/busybox) when it is
# missing, runs each check, prints PASS/FAIL lines and exits 1 if any check failed. Containers
# are named jrunc-smoke-<pid>-* (and one pod jrunc-smoke-<pid>-pod); only those are removed at
# the end (podman rm -f by name), and the image unless SMOKE_KEEP=1.
#
# The host has no systemd (cgroupfs manager, podman's cgroups go under its own libpod_parent)
# and this sandbox lacks CAP_SYS_RESOURCE: podman's default rlimits (nofile 1048576, nproc
# above podman's own 32768) cannot be set by ANY runtime, so a containers.conf with rlimits at
# the current hard limits is used (CONTAINERS_CONF, not the host's files).
#
# Environment: SMOKE_ONLY="name1 name2" runs only those checks; SMOKE_KEEP=1 keeps the image;
# SMOKE_CONTAINERD=1 also starts a private containerd (own root, state and socket under the
# temporary directory, CRI plugin off; stopped at the end), imports the image into it
# (podman save --format docker-archive | ctr image import) and runs ctr checks through the
# io.containerd.runc.v2 shim with the runtime as its runc binary (ctr run --runc-binary).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
runtime=${1:-$here/bin/jrunc}
case $runtime in /*) ;; *) runtime=$(command -v "$runtime") || { echo "no runtime $1" >&2; exit 2; } ;; esac
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

ctrd_pid= cg=/nonexistent
cleanup() {
  if [ -n "$ctrd_pid" ]; then
    for t in $($CTR task ls -q 2>/dev/null); do $CTR task kill -s SIGKILL "$t" >/dev/null 2>&1; done
    sleep 1
    for t in $($CTR container ls -q 2>/dev/null); do $CTR task rm -f "$t" >/dev/null 2>&1; $CTR container rm "$t" >/dev/null 2>&1; done
    kill "$ctrd_pid" 2>/dev/null && wait "$ctrd_pid" 2>/dev/null
    for d in /sys/fs/cgroup/*/"$cg" /sys/fs/cgroup/"$cg"; do [ -d "$d" ] && rmdir "$d"; done
  fi
  for c in $(podman ps -a --format '{{.Names}}' | grep "^$pfx-"); do podman rm -f -t 0 "$c" >/dev/null 2>&1; done
  podman pod rm -f -t 0 "$pfx-pod" >/dev/null 2>&1
  [ -n "${SMOKE_KEEP:-}" ] || podman rmi "$image" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! podman image exists "$image"; then
  r=$work/rootfs
  mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/proc" "$r/sys" "$r/dev" "$r/root" "$r/home/u"
  cp /bin/busybox "$r/bin/busybox" || { echo "needs busybox-static (/bin/busybox)" >&2; exit 2; }
  for a in $("$r/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000:u:/home/u:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
  printf 'root:x:0:\nu:x:1000:\nnobody:x:65534:\n' >"$r/etc/group"
  chmod 1777 "$r/tmp"
  tar -C "$r" -c . | podman import --change 'CMD ["/bin/sh"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$image" >/dev/null || exit 2
  rm -rf "$r"
fi

pass=0 fail=0 failed=
# check NAME EXPECTED COMMAND...: runs COMMAND, compares "rc=<status> out=<stdout>" with EXPECTED
# (a shell pattern).
check() {
  name=$1 want=$2
  shift 2
  case " ${SMOKE_ONLY:-$name} " in *" $name "*) ;; *) return 0 ;; esac
  out=$("$@" 2>"$work/err")
  got="rc=$? out=$(printf '%s' "$out" | tr '\n' ' ' | sed 's/ *$//')"
  case $got in
    $want) pass=$((pass + 1)); echo "PASS $name" ;;
    *) fail=$((fail + 1)); failed="$failed $name"
       echo "FAIL $name: want [$want] got [$got]"; sed 's/^/    /' "$work/err" | head -n 5 ;;
  esac
}
c() { echo "$pfx-$1"; }

check run-echo 'rc=0 out=hi' $P run --rm "$image" echo hi
check exit-code 'rc=3 out=' $P run --rm "$image" sh -c 'exit 3'
check not-found 'rc=127 out=' $P run --rm "$image" /nonexistent
check not-executable 'rc=126 out=' $P run --rm "$image" /etc/passwd
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

if [ -n "${SMOKE_CONTAINERD:-}" ]; then
  cd="$work/ctrd"
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
  podman save --format docker-archive -o "$work/image.tar" "$image" 2>/dev/null
  check ctr-import 'rc=0 out=*' $CTR image import "$work/image.tar"
  R="--runc-binary $runtime"
  # containers' cgroups under a parent of our own (ctr's default is /default/<id>)
  cg=/jrunc-smoke-ctr-$$
  check ctr-run 'rc=0 out=hi' $CTR run --rm $R --cgroup "$cg/ctr-echo" "$image" ctr-echo echo hi
  check ctr-exit 'rc=3 out=' $CTR run --rm $R --cgroup "$cg/ctr-exit" "$image" ctr-exit sh -c 'exit 3'
  check ctr-not-found 'rc=1 out=' $CTR run --rm $R --cgroup "$cg/ctr-nf" "$image" ctr-nf /nonexistent
  $CTR container rm ctr-nf >/dev/null 2>&1
  check ctr-env-cwd 'rc=0 out=bar /tmp' $CTR run --rm $R --cgroup "$cg/ctr-env" --env FOO=bar --cwd /tmp "$image" ctr-env sh -c 'echo $FOO $(pwd)'
  check ctr-read-only 'rc=0 out=ro' $CTR run --rm $R --cgroup "$cg/ctr-ro" --read-only "$image" ctr-ro sh -c 'touch /x 2>/dev/null || echo ro'
  check ctr-seccomp 'rc=0 out=denied' $CTR run --rm $R --cgroup "$cg/ctr-sc" --seccomp "$image" ctr-sc sh -c 'unshare -m true 2>/dev/null && echo allowed || echo denied'
  check ctr-detached 'rc=0 out=*' $CTR run -d $R --cgroup "$cg/ctr-d" --memory-limit 67108864 "$image" ctr-d sleep 1000
  check ctr-memory 'rc=0 out=67108864' cat "/sys/fs/cgroup/memory$cg/ctr-d/memory.limit_in_bytes"
  check ctr-exec 'rc=4 out=inexec' $CTR task exec --exec-id e1 ctr-d sh -c 'echo inexec; exit 4'
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
fi

echo "passed $pass, failed $fail${failed:+:$failed} (runtime $runtime)"
[ "$fail" = 0 ]
