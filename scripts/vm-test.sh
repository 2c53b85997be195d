#!/bin/sh
# Runs runtime-core's tests of one package (default: io.jrunc.core.cgroup) as root in the VM
# lane: a pure cgroup v2 host with systemd as PID 1 (see /work/shared/tools/vm/README.md).
#
# The VM is emulated (15-30x slower), so nothing is built in it: Maven compiles on the host,
# writes the test classpath to a file, javac builds the small JUnit launcher main
# (scripts/vm-lane/VmLaneMain.java), and the VM runs plain `java` with ~/.m2 shared read-only.
# Tests that need another layout skip with their reason printed; exit status is non-zero on
# any failure.
#
#   scripts/vm-test.sh                         # all cgroup tests
#   scripts/vm-test.sh io.jrunc.core.cgroup    # a package
#   scripts/vm-test.sh io.jrunc.core.cgroup.V2HostTest   # one class
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
pkg=${1:-io.jrunc.core.cgroup}
JAVA_HOME=$("$here/scripts/jdk25")
m2=${M2_REPO:-$HOME/.m2/repository}
out=runtime-core/target/vm-lane
mkdir -p "$out"

"$here/scripts/mvn" -o -q -pl runtime-core -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/vm-lane-classpath.txt -Dmdep.includeScope=test
# the launcher is what surefire brings along; the JUnit version pins the platform version
v=$(tr ':' '\n' < runtime-core/target/vm-lane-classpath.txt | sed -n 's|.*/junit-platform-engine/\([^/]*\)/.*|\1|p' | head -1)
launcher="$m2/org/junit/platform/junit-platform-launcher/$v/junit-platform-launcher-$v.jar"
[ -f "$launcher" ] || { echo "vm-test.sh: $launcher missing (run the tests once with scripts/mvn on the host)" >&2; exit 1; }

cp="$here/runtime-core/target/test-classes:$here/runtime-core/target/classes:$here/runtime-oci-spec/target/classes:$(cat runtime-core/target/vm-lane-classpath.txt | tr ':' '\n' | grep -v '/runtime-oci-spec/' | paste -sd:):$launcher"
"$JAVA_HOME/bin/javac" -d "$out" -cp "$cp" scripts/vm-lane/VmLaneMain.java

# Without KVM the lane emulates the CPU: its default model there (qemu64) made the JVM die of
# SIGILL in C1 code (2026-12-06; -cpu max did before), Nehalem (SSE4.2, no AVX) runs it
[ -e /dev/kvm ] || export VMLANE_CPU="${VMLANE_CPU:-Nehalem}"
VMLANE_RO="${VMLANE_RO:-} $HOME/.m2" exec /work/shared/tools/vm/run-in-vm.sh "$here" \
  java --enable-native-access=ALL-UNNAMED -cp "$here/$out:$cp" io.jrunc.vmlane.VmLaneMain "$pkg"
