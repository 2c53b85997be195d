#!/bin/bash
# The CLI smoke sequence that scripts/vm-conformance.sh runs inside the VM lane (pure cgroup v2,
# systemd as PID 1): every check drives bin/jrunc as an engine would, and looks at the result
# from the host side (cgroupfs, systemctl) and from inside the container (exec / init output).
#
# Usage: smoke.sh [cgroupfs|systemd]...   (default: both drivers)
# Environment (pass with VMLANE_ENV): SMOKE_ONLY_RUN=1 stops after the run checks; SMOKE_NS
# picks "cgns", "nocgns" or both (the default) for them.
# Prints "ok N - what" / "not ok N - what" per check and a last line "N passed, M failed";
# exits 1 when any check failed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
J="$top/bin/jrunc"
ROOT=/run/jrunc-vm
work=/var/tmp/jrunc-vm
pass=0 fail=0 n=0
rm -rf "$work" && mkdir -p "$work"

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do printf '    %s\n' "$l"; done; }
# check WHAT COMMAND...: the command's status decides
check() { local what=$1; shift; local out; if out=$("$@" 2>&1); then ok "$what"; else no "$what" "command: $*" "$out"; fi; }
# checkf WHAT FILE COMMAND...: the same with output to FILE (for commands whose container keeps
# the stdio open: a command substitution would wait for the container to exit)
checkf() { local what=$1 f=$2; shift 2; if "$@" </dev/null >"$f" 2>&1; then ok "$what"; else no "$what" "command: $*" "$(cat "$f")"; fi; }
has() { grep -qx -- "$2" <<<"$1"; }  # has TEXT LINE: TEXT holds LINE exactly
jr() { timeout 120 "$J" --root "$ROOT" "$@"; }

# bundle NAME DRIVER CGROUPNS? [jq filter on config.json] -- args...: a busybox bundle
bundle() {
  local name=$1 filter=$2; shift 2
  local b="$work/$name"
  "$top/scripts/make-bundle.sh" "$b" "$@" >/dev/null
  jq "$filter" "$b/config.json" >"$b/c.json" && mv "$b/c.json" "$b/config.json"
  echo "$b"
}

# cgroupsPath and the host directory for the driver
cgpath() { if [ "$driver" = systemd ]; then echo "system.slice:jrunc:$1"; else echo "/jrunc-vm/$1"; fi; }
cgdir() { if [ "$driver" = systemd ]; then echo "/sys/fs/cgroup/system.slice/jrunc-$1.scope"; else echo "/sys/fs/cgroup/jrunc-vm/$1"; fi; }
gflags() { if [ "$driver" = systemd ]; then echo --systemd-cgroup; fi; }

gone() { # gone ID: no cgroup directory (and for systemd no unit) is left
  local id=$1 d; d=$(cgdir "$id")
  if [ -e "$d" ]; then no "$driver $id: cgroup $d removed after delete" "$(ls "$d" | head -3)"; else ok "$driver $id: cgroup $d removed after delete"; fi
  if [ "$driver" = systemd ]; then
    local st; st=$(systemctl show -p LoadState,ActiveState "jrunc-$id.scope" 2>&1)
    if grep -q 'ActiveState=active' <<<"$st"; then no "systemd $id: unit jrunc-$id.scope gone after delete" "$st"; else ok "systemd $id: unit jrunc-$id.scope gone after delete"; fi
  fi
}

run_driver() {
  driver=$1
  local G; G=$(gflags)
  local id b out d st pid

  # --- run: limits visible inside, with and without a cgroup namespace ---------------------
  for ns in ${SMOKE_NS:-cgns nocgns}; do
    id=$driver-run-$ns
    # `jrunc spec` adds a cgroup namespace on v2 hosts (as runc does): make both cases explicit
    local nsf='.linux.namespaces |= map(select(.type != "cgroup"))'
    [ $ns = cgns ] && nsf="$nsf"' | .linux.namespaces += [{"type":"cgroup"}]'
    b=$(bundle "$id" "$nsf | .linux.cgroupsPath = \"$(cgpath $id)\" | .linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 100}" \
      sh -c 'echo mem=$(cat /sys/fs/cgroup/memory.max); echo pids=$(cat /sys/fs/cgroup/pids.max); echo ctl=$(cat /sys/fs/cgroup/cgroup.controllers); echo self=$(cat /proc/self/cgroup); grep " /sys/fs/cgroup " /proc/self/mountinfo | sed "s/^/mnt=/"')
    out=$(jr $G run -b "$b" "$id" 2>&1 </dev/null); st=$?
    [ $st = 0 ] && ok "$driver $ns: run exits 0" || no "$driver $ns: run exits 0" "status $st" "$out"
    has "$out" "mem=67108864" && ok "$driver $ns: memory.max inside is 64 MiB" || no "$driver $ns: memory.max inside is 64 MiB" "$out"
    has "$out" "pids=100" && ok "$driver $ns: pids.max inside is 100" || no "$driver $ns: pids.max inside is 100" "$out"
    grep -q '^ctl=.*memory' <<<"$out" && grep -q '^ctl=.*pids' <<<"$out" && ok "$driver $ns: cgroup.controllers inside lists memory and pids" \
      || no "$driver $ns: cgroup.controllers inside lists memory and pids" "$out"
    local want
    if [ $ns = cgns ]; then want="self=0::/"; else want="self=0::$(cgdir $id | sed 's|^/sys/fs/cgroup||')"; fi
    has "$out" "$want" && ok "$driver $ns: /proc/self/cgroup is '$want'" || no "$driver $ns: /proc/self/cgroup is '$want'" "$out"
    grep -q '^mnt=.* - cgroup2 ' <<<"$out" && ok "$driver $ns: /sys/fs/cgroup inside is a cgroup2 mount" || no "$driver $ns: /sys/fs/cgroup inside is a cgroup2 mount" "$out"
    gone "$id"
  done

  [ -n "${SMOKE_ONLY_RUN:-}" ] && return
  # --- create/start/state/exec/ps/pause/resume/update/events/kill/delete --------------------
  id=$driver-life
  b=$(bundle "$id" ".linux.cgroupsPath = \"$(cgpath $id)\" | .linux.resources.memory = {limit: 67108864, reservation: 16777216} | .linux.resources.pids = {limit: 100}
      | .linux.resources.cpu = {quota: 500000, period: 1000000, cpus: \"0\", mems: \"0\"}
      | .mounts += [{destination: \"/dev/kmsg\", type: \"bind\", source: \"/dev/kmsg\", options: [\"bind\"]}]" sleep 1000)
  d=$(cgdir $id)
  checkf "$driver life: create" "$work/$id.out" jr $G create -b "$b" "$id"
  st=$(jr state "$id" 2>&1)
  [ "$(jq -r .status <<<"$st")" = created ] && ok "$driver life: state says created" || no "$driver life: state says created" "$st"
  pid=$(jq -r .pid <<<"$st")
  grep -qx "$pid" "$d/cgroup.procs" 2>/dev/null && ok "$driver life: init pid $pid is in $d/cgroup.procs" || no "$driver life: init pid $pid is in $d/cgroup.procs" "$(cat "$d/cgroup.procs" 2>&1)" "$(cat /proc/$pid/cgroup 2>&1)"
  if [ "$driver" = systemd ]; then
    out=$(systemctl status "jrunc-$id.scope" 2>&1)
    grep -q 'Active: active' <<<"$out" && ok "systemd life: systemctl status jrunc-$id.scope is active" || no "systemd life: systemctl status jrunc-$id.scope is active" "$out"
    out=$(systemctl show -p MemoryMax,TasksMax,Delegate,Slice "jrunc-$id.scope")
    has "$out" "MemoryMax=67108864" && has "$out" "TasksMax=100" && has "$out" "Delegate=yes" && has "$out" "Slice=system.slice" \
      && ok "systemd life: unit has MemoryMax, TasksMax, Delegate, Slice" || no "systemd life: unit has MemoryMax, TasksMax, Delegate, Slice" "$out"
    # as runc sends them (its update.bats reads them back with systemctl show)
    out=$(systemctl show -p MemoryLow,CPUQuotaPerSecUSec,CPUQuotaPeriodUSec,AllowedCPUs,AllowedMemoryNodes "jrunc-$id.scope")
    has "$out" "MemoryLow=16777216" && has "$out" "CPUQuotaPerSecUSec=500ms" && has "$out" "CPUQuotaPeriodUSec=1s" \
      && has "$out" "AllowedCPUs=0" && has "$out" "AllowedMemoryNodes=0" \
      && ok "systemd life: unit has MemoryLow, the CPU quota and period, AllowedCPUs and AllowedMemoryNodes" \
      || no "systemd life: unit has MemoryLow, the CPU quota and period, AllowedCPUs and AllowedMemoryNodes" "$out"
  fi
  check "$driver life: start" jr start "$id"
  st=$(jr state "$id" 2>&1)
  [ "$(jq -r .status <<<"$st")" = running ] && ok "$driver life: state says running" || no "$driver life: state says running" "$st"
  out=$(jr exec "$id" cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max 2>&1)
  [ "$out" = "$(printf '67108864\n100')" ] && ok "$driver life: exec sees memory.max and pids.max" || no "$driver life: exec sees memory.max and pids.max" "$out"
  out=$(jr exec "$id" sh -c 'echo probe > /dev/kmsg' 2>&1); st=$?
  [ $st != 0 ] && grep -qi 'not permitted' <<<"$out" && ok "$driver life: device filter denies writing /dev/kmsg (c 1:11)" || no "$driver life: device filter denies writing /dev/kmsg (c 1:11)" "status $st" "$out"
  out=$(jr exec "$id" sh -c 'echo probe > /dev/null && head -c4 /dev/zero | wc -c' 2>&1)
  [ "$out" = 4 ] && ok "$driver life: /dev/null and /dev/zero work" || no "$driver life: /dev/null and /dev/zero work" "$out"
  out=$(jr ps --format json "$id" 2>&1)
  jq -e --argjson p "$pid" 'index($p) != null' <<<"$out" >/dev/null && ok "$driver life: ps --format json lists init" || no "$driver life: ps --format json lists init" "$out"
  out=$(jr ps "$id" 2>&1)
  grep -q 'sleep 1000' <<<"$out" && ok "$driver life: ps table shows sleep 1000" || no "$driver life: ps table shows sleep 1000" "$out"
  check "$driver life: pause" jr pause "$id"
  st=$(jr state "$id" 2>&1)
  [ "$(jq -r .status <<<"$st")" = paused ] && ok "$driver life: state says paused" || no "$driver life: state says paused" "$st"
  [ "$(cat $d/cgroup.freeze 2>&1)" = 1 ] && grep -qx 'frozen 1' $d/cgroup.events && ok "$driver life: cgroup.freeze 1, cgroup.events frozen 1" \
    || no "$driver life: cgroup.freeze 1, cgroup.events frozen 1" "$(cat $d/cgroup.freeze $d/cgroup.events 2>&1)"
  grep -q '^State:.*(stopped)' /proc/$pid/status 2>/dev/null || true
  # exec --ignore-paused: moved into the frozen cgroup, it runs once a resume 2 s later thaws it
  (sleep 2; jr resume "$id"; echo "resume status $?") >"$work/$id.resume" 2>&1 &
  out=$(jr exec --ignore-paused "$id" echo ok 2>&1); st=$?
  wait
  [ $st = 0 ] && [ "$out" = ok ] && ok "$driver life: exec --ignore-paused runs once resumed" || no "$driver life: exec --ignore-paused runs once resumed" "status $st" "$out"
  grep -qx 'resume status 0' "$work/$id.resume" && ok "$driver life: resume" || no "$driver life: resume" "$(cat "$work/$id.resume")"
  [ "$(cat $d/cgroup.freeze 2>&1)" = 0 ] && grep -qx 'frozen 0' $d/cgroup.events && [ "$(jr state "$id" | jq -r .status)" = running ] \
    && ok "$driver life: after resume frozen 0 and running" || no "$driver life: after resume frozen 0 and running" "$(cat $d/cgroup.freeze $d/cgroup.events 2>&1)"
  check "$driver life: update --memory 32 MiB --pids-limit 50" jr update --memory 33554432 --pids-limit 50 "$id"
  [ "$(cat $d/memory.max)" = 33554432 ] && [ "$(cat $d/pids.max)" = 50 ] && ok "$driver life: update reached memory.max and pids.max" \
    || no "$driver life: update reached memory.max and pids.max" "$(cat $d/memory.max $d/pids.max 2>&1)"
  out=$(jr exec "$id" cat /sys/fs/cgroup/memory.max 2>&1)
  [ "$out" = 33554432 ] && ok "$driver life: exec sees the updated memory.max" || no "$driver life: exec sees the updated memory.max" "$out"
  if [ "$driver" = systemd ]; then
    out=$(systemctl show -p MemoryMax,TasksMax "jrunc-$id.scope")
    has "$out" "MemoryMax=33554432" && has "$out" "TasksMax=50" && ok "systemd life: update reached the unit's MemoryMax and TasksMax" \
      || no "systemd life: update reached the unit's MemoryMax and TasksMax" "$out"
  fi
  out=$(jr events --stats "$id" 2>&1)
  [ "$(jq -r .type <<<"$out" 2>/dev/null)" = stats ] && [ "$(jq -r '.data.memory.usage.limit' <<<"$out")" = 33554432 ] \
    && [ "$(jq -r '.data.pids.current' <<<"$out")" -ge 1 ] && ok "$driver life: events --stats shows limit and pids" || no "$driver life: events --stats shows limit and pids" "$out"
  check "$driver life: kill KILL" jr kill "$id" KILL
  for i in $(seq 50); do [ "$(jr state "$id" | jq -r .status)" = stopped ] && break; sleep 0.2; done
  st=$(jr state "$id" 2>&1)
  [ "$(jq -r .status <<<"$st")" = stopped ] && ok "$driver life: state says stopped after kill" || no "$driver life: state says stopped after kill" "$st"
  check "$driver life: delete" jr delete "$id"
  out=$(jr state "$id" 2>&1) && no "$driver life: state fails after delete" "$out" || ok "$driver life: state fails after delete"
  gone "$id"

  # --- unified files systemd knows become unit properties too (runc's mapping), so a
  # daemon-reload keeps them; update sends them again; a hugetlb limit in a systemd scope --
  if [ "$driver" = systemd ]; then
    id=$driver-unified
    b=$(bundle "$id" ".linux.cgroupsPath = \"$(cgpath $id)\" | .linux.resources.unified = {\"memory.min\": \"1048576\", \"memory.high\": \"134217728\", \"pids.max\": \"50\", \"cpu.idle\": \"1\"}
      | .linux.resources.hugepageLimits = [{pageSize: \"2MB\", limit: 4194304}]" sleep 1000)
    checkf "systemd unified: create" "$work/$id.out" jr $G create -b "$b" "$id"
    out=$(systemctl show -p MemoryMin,MemoryHigh,TasksMax,CPUWeight "jrunc-$id.scope")
    has "$out" "MemoryMin=1048576" && has "$out" "MemoryHigh=134217728" && has "$out" "TasksMax=50" && grep -Eqx 'CPUWeight=(0|idle)' <<<"$out" \
      && ok "systemd unified: unit has MemoryMin, MemoryHigh, TasksMax and the idle CPUWeight from unified" \
      || no "systemd unified: unit has MemoryMin, MemoryHigh, TasksMax and the idle CPUWeight from unified" "$out"
    # systemd does not enable hugetlb in its slices: enabled up the chain, as runc does
    out=$(cat "$(cgdir $id)/hugetlb.2MB.max" 2>&1)
    [ "$out" = 4194304 ] && ok "systemd unified: hugetlb.2MB.max in the scope is 4 MiB" || no "systemd unified: hugetlb.2MB.max in the scope is 4 MiB" "$out"
    echo '{"unified": {"pids.max": "60", "memory.high": "max"}}' >"$work/$id.res"
    check "systemd unified: update -r with unified" jr update -r "$work/$id.res" "$id"
    out=$(systemctl show -p MemoryHigh,TasksMax "jrunc-$id.scope"; echo "file=$(cat "$(cgdir $id)/pids.max")")
    has "$out" "TasksMax=60" && has "$out" "MemoryHigh=infinity" && has "$out" "file=60" \
      && ok "systemd unified: update sets TasksMax and MemoryHigh (and the file)" || no "systemd unified: update sets TasksMax and MemoryHigh (and the file)" "$out"
    check "systemd unified: delete --force" jr delete --force "$id"
    gone "$id"
  fi

  # --- device filter control: the same write works when c 1:11 is allowed ------------------
  id=$driver-devok
  b=$(bundle "$id" ".linux.cgroupsPath = \"$(cgpath $id)\" | .linux.resources.devices += [{allow: true, type: \"c\", major: 1, minor: 11, access: \"w\"}]
      | .mounts += [{destination: \"/dev/kmsg\", type: \"bind\", source: \"/dev/kmsg\", options: [\"bind\"]}]" sh -c 'echo jrunc-vm-probe > /dev/kmsg && echo wrote')
  out=$(jr $G run -b "$b" "$id" 2>&1 </dev/null)
  [ "$out" = wrote ] && ok "$driver devok: writing /dev/kmsg works when c 1:11 w is allowed" || no "$driver devok: writing /dev/kmsg works when c 1:11 w is allowed" "$out"
  gone "$id"

  # --- the container makes its cgroup an inner node: init moved into a child cgroup and a
  # controller enabled below (systemd or a nested runtime inside does so); v2 then refuses a
  # process in the container's own cgroup (EBUSY) and exec joins init's, as runc's
  # cgroups.bats "runc exec (cgroup v2 + init process in non-root cgroup)" checks ----------
  id=$driver-nest
  b=$(bundle "$id" '.linux.namespaces |= (map(select(.type != "cgroup")) + [{"type":"cgroup"}])
      | .mounts |= map(if .destination == "/sys/fs/cgroup" then .options -= ["ro"] else . end)'" | .linux.cgroupsPath = \"$(cgpath $id)\"" sleep 1000)
  checkf "$driver nest: run -d" "$work/$id.out" jr $G run -d -b "$b" "$id"
  check "$driver nest: init moved into a child cgroup" jr exec "$id" sh -c 'mkdir /sys/fs/cgroup/init && echo 1 > /sys/fs/cgroup/init/cgroup.procs'
  check "$driver nest: memory enabled below the container's cgroup" jr exec "$id" sh -c 'echo $$ > /sys/fs/cgroup/init/cgroup.procs && echo +memory > /sys/fs/cgroup/cgroup.subtree_control'
  out=$(jr exec "$id" cat /proc/self/cgroup 2>&1); st=$?
  [ $st = 0 ] && [ "$out" = "0::/init" ] && ok "$driver nest: exec joins init's cgroup (0::/init)" || no "$driver nest: exec joins init's cgroup (0::/init)" "status $st" "$out"
  check "$driver nest: delete --force" jr delete --force "$id"
  gone "$id"

  # --- memory hog under 16 MiB: the OOM killer ends init, run exits 137 ---------------------
  id=$driver-oom
  b=$(bundle "$id" ".linux.cgroupsPath = \"$(cgpath $id)\" | .linux.resources.memory = {limit: 16777216, swap: 16777216}" \
    dd if=/dev/zero of=/dev/null bs=64M count=1)
  out=$(jr $G run -b "$b" "$id" 2>&1 </dev/null); st=$?
  [ $st = 137 ] && ok "$driver oom: 64 MiB hog under 16 MiB exits 137" || no "$driver oom: 64 MiB hog under 16 MiB exits 137" "status $st" "$out"
  gone "$id"

  # --- pids storm: 40 sleeps under pids.max 10 ---------------------------------------------
  id=$driver-storm
  b=$(bundle "$id" ".linux.cgroupsPath = \"$(cgpath $id)\" | .linux.resources.pids = {limit: 10}" sh -c 'seq 40 | xargs -P 40 -n 1 sleep 100')
  d=$(cgdir $id)
  jr $G run -d -b "$b" "$id" </dev/null >"$work/$id.out" 2>&1
  for i in $(seq 50); do [ "$(cat $d/pids.events 2>/dev/null | awk '/^max/{print $2}')" -ge 1 ] 2>/dev/null && break; sleep 0.2; done
  local cur mx; cur=$(cat $d/pids.current 2>&1); mx=$(awk '/^max/{print $2}' $d/pids.events 2>&1)
  [ "$cur" -le 10 ] 2>/dev/null && [ "$mx" -ge 1 ] 2>/dev/null && ok "$driver storm: pids.current $cur <= 10, pids.events max $mx" \
    || no "$driver storm: pids.current <= 10 and pids.events max > 0" "current $cur max $mx" "$(cat $work/$id.out)"
  check "$driver storm: delete --force" jr delete --force "$id"
  gone "$id"
}

drivers=("$@")
[ ${#drivers[@]} = 0 ] && drivers=(cgroupfs systemd)
echo "# $(uname -r), $(stat -fc %T /sys/fs/cgroup), PID 1 $(cat /proc/1/comm), drivers: ${drivers[*]}"
for dr in "${drivers[@]}"; do
  t0=$(date +%s)
  run_driver "$dr"
  echo "# $dr: $(($(date +%s) - t0)) s"
done
rmdir /sys/fs/cgroup/jrunc-vm 2>/dev/null
echo "$pass passed, $fail failed"
[ $fail = 0 ]
