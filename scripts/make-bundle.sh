#!/bin/sh
# Prepares an OCI bundle in DIR: a rootfs of Debian's static busybox (a symlink per applet)
# and the config.json of `jrunc spec`, with no terminal and a command that shows isolation.
# Usage: scripts/make-bundle.sh DIR [COMMAND...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$1; shift
mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/sys" "$dir/rootfs/dev" "$dir/rootfs/tmp" "$dir/rootfs/etc" "$dir/rootfs/root"
cp /bin/busybox "$dir/rootfs/bin/busybox"
for a in $(/bin/busybox --list); do [ -e "$dir/rootfs/bin/$a" ] || ln -s busybox "$dir/rootfs/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$dir/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$dir/rootfs/etc/group"
rm -f "$dir/config.json"
"$top/bin/jrunc" spec --bundle "$dir"
if [ $# -eq 0 ]; then
  set -- sh -c 'echo "hostname: $(hostname)"; echo "my pid: $$"; echo "processes:"; ps -o pid,user,args; echo "user: $(id)"; echo "mounts:"; cut -d" " -f2,3 /proc/mounts; echo "capabilities:"; grep Cap /proc/self/status'
fi
# terminal off (no tty needed), the given command as process.args
args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
jq --argjson args "$args" --arg cg "/jrunc-demo/$(basename "$dir")" '.process.terminal = false | .process.args = $args | .linux.cgroupsPath = $cg' < "$dir/config.json" > "$dir/config.json.new"
mv "$dir/config.json.new" "$dir/config.json"
echo "$dir"
