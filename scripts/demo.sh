#!/bin/sh
# Builds jrunc, prepares a busybox bundle, and runs a container that shows it is isolated.
# Usage: scripts/demo.sh   (as root; installs Debian's busybox-static if missing)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
need=
[ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 || need="$need busybox-static"
command -v jq >/dev/null || need="$need jq"
if [ -n "$need" ]; then
  echo "installing$need" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
[ -f runtime-cli/target/jrunc.jar ] || scripts/mvn -q -o -DskipTests package 2>/dev/null || scripts/mvn -q -DskipTests package
bundle=$(mktemp -d /tmp/jrunc-demo.XXXXXX)
scripts/make-bundle.sh "$bundle" >/dev/null
id=demo-$$
echo "== bin/jrunc run $id (bundle $bundle)"
set +e
bin/jrunc run --bundle "$bundle" "$id"
status=$?
set -e
rm -rf "$bundle"
# the container's cgroup went with delete; the parent make-bundle.sh named goes too, if empty
for d in /sys/fs/cgroup/jrunc-demo /sys/fs/cgroup/*/jrunc-demo; do [ -d "$d" ] && rmdir "$d" 2>/dev/null || true; done
echo "== container exited with status $status"
