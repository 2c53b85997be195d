#!/bin/sh
# End-to-end check of the whole runtime on a pure cgroup v2 host with systemd as PID 1: the
# VM lane (/work/shared/tools/vm/README.md). This host is cgroup v1 hybrid without systemd, so
# this is where the v2 and systemd code paths meet a real kernel and a real systemd.
#
# Builds on the host (the VM is emulated, 15-30x slower), then boots one VM that runs
#   (a) scripts/vm-lane/smoke.sh cgroupfs: the CLI smoke sequence with busybox bundles
#   (b) scripts/vm-lane/smoke.sh systemd: the same with --systemd-cgroup
#   (c) with --junit: the conformance-tests JUnit classes, through scripts/vm-lane/VmLaneMain
#       (plain java, ~/.m2 shared read-only)
# and prints "N passed, M failed" as its last line; exit status 0 only when nothing failed.
#
#   scripts/vm-conformance.sh                 # (a) + (b)
#   scripts/vm-conformance.sh --junit         # (a) + (b) + (c)
#   scripts/vm-conformance.sh --only-junit [io.jrunc.conformance.SomeTest[#method][,another...]]
#   scripts/vm-conformance.sh cgroupfs        # one driver of the smoke sequence
#   VMCONF_CONTAINERD=1 scripts/vm-conformance.sh --only-junit io.jrunc.conformance.containerd.CriTest
#
# The VM's image has no containerd: VMCONF_CONTAINERD=1 takes this host's containerd, ctr,
# containerd-shim-runc-v2 and runc into it (through the build directory, which the VM shares),
# for the containerd and CRI classes (ContainerdShimTest, CriTest, CriSecurityTest).
#
# Wall time here (2 cores, TCG emulation; round 15): one driver's smoke sequence takes ~4 minutes
# (cgroupfs 45 checks in 3.5 min, systemd 54 in 3.9), CliLifecycleTest through --only-junit ~7.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
junit=0 smoke=1 sel=io.jrunc.conformance
case "${1:-}" in
  --junit) junit=1; shift ;;
  --only-junit) junit=1; smoke=0; shift; [ $# -gt 0 ] && { sel=$1; shift; } ;;
esac
JAVA_HOME=$("$here/scripts/jdk25")
m2=${M2_REPO:-$HOME/.m2/repository}

if [ $junit = 1 ]; then
  "$here/scripts/mvn" -o -q -DskipTests -Djrunc.skipAot=true package
  "$here/scripts/mvn" -q -pl conformance-tests -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/vm-lane-classpath.txt -Dmdep.includeScope=test
  v=$(tr ':' '\n' < conformance-tests/target/vm-lane-classpath.txt | sed -n 's|.*/junit-platform-engine/\([^/]*\)/.*|\1|p' | head -1)
  launcher="$m2/org/junit/platform/junit-platform-launcher/$v/junit-platform-launcher-$v.jar"
  [ -f "$launcher" ] || { echo "vm-conformance.sh: $launcher missing (run the tests once with scripts/mvn on the host)" >&2; exit 1; }
  # the modules' own classes instead of their (possibly stale) ~/.m2 snapshots
  cp="$here/conformance-tests/target/test-classes:$here/test-support/target/classes:$here/runtime-cli/target/classes:$here/runtime-core/target/classes:$here/runtime-oci-spec/target/classes:$(tr ':' '\n' < conformance-tests/target/vm-lane-classpath.txt | grep -v '/io/jrunc/' | paste -sd:):$launcher"
  out=conformance-tests/target/vm-lane
  mkdir -p "$out"
  "$JAVA_HOME/bin/javac" -d "$out" -cp "$cp" scripts/vm-lane/VmLaneMain.java
  printf '%s\n' "$cp" > "$out/classpath"
  rm -rf "$out/bin"
  if [ "${VMCONF_CONTAINERD:-0}" = 1 ]; then
    mkdir -p "$out/bin"
    for b in containerd ctr containerd-shim-runc-v2 runc; do
      f=$(command -v $b) || { echo "vm-conformance.sh: VMCONF_CONTAINERD=1 but no $b here (apt install containerd runc)" >&2; exit 1; }
      cp "$f" "$out/bin/"
    done
  fi
else
  "$here/scripts/mvn" -o -q -pl runtime-cli -am -DskipTests -Djrunc.skipAot=true package
fi

# The package above rewrote jrunc.jar without training its AOT caches: on the host they are now
# older than the jar, and bin/jrunc starts without them (~3x slower) until the next full build;
# scripts/bench.sh refuses to measure that.
if ls runtime-cli/target/jrunc*.aot >/dev/null 2>&1; then
  echo "vm-conformance.sh: note: the host's AOT caches are now older than jrunc.jar; rebuild (scripts/mvn -o -DskipTests install) before measuring start-up" >&2
fi

# Without KVM the lane emulates the CPU: its default model there (qemu64) made the JVM die of
# SIGILL in C1 code (2026-12-06; -cpu max did before), Nehalem (SSE4.2, no AVX) runs it
[ -e /dev/kvm ] || export VMLANE_CPU="${VMLANE_CPU:-Nehalem}"
VMLANE_RO="${VMLANE_RO:-} $HOME/.m2" VMLANE_ENV="${VMLANE_ENV:-} VMCONF_SMOKE VMCONF_JUNIT VMCONF_SEL" \
  VMCONF_SMOKE=$smoke VMCONF_JUNIT=$junit VMCONF_SEL=$sel \
  exec /work/shared/tools/vm/run-in-vm.sh "$here" scripts/vm-lane/conformance-in-vm.sh "$@"
