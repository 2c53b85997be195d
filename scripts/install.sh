#!/bin/sh
# Installs jrunc under PREFIX (default /usr/local) so that engines find `jrunc` on PATH:
#
#   PREFIX/bin/jrunc               the launcher (bin/jrunc)
#   PREFIX/lib/jrunc/jrunc.jar     the shaded jar (build it first: scripts/mvn -o -q -pl runtime-cli -am package)
#   PREFIX/lib/jrunc/java-home     the JDK 25 to use (found now, read by the launcher without searching)
#   PREFIX/lib/jrunc/jrunc.aot     the AOT cache, trained here for the installed jar and that JDK
#   PREFIX/lib/jrunc/jrunc-{version,help,spec,features}.aot  small caches for those commands (same training run)
#   PREFIX/lib/jrunc/jrunc-{state,start,kill,delete,create,run,exec,admin}.aot  their own caches, trained on a real container
#                                  (only when installing as root with /bin/busybox; else the full one serves them)
#   PREFIX/bin/containerd-shim-jrunc-v2, PREFIX/lib/jrunc/containerd-shim-jrunc-v2.jar
#                                  containerd's shim (runtime type io.containerd.jrunc.v2), when
#                                  built: scripts/mvn -q -pl runtime-shim -am -DskipTests package;
#                                  with its AOT cache containerd-shim-jrunc-v2.aot, trained here
#
# JRUNC_NO_AOT=1 installs without training the AOT caches (quicker; every call then starts
# without a cache, as JRUNC_NO_AOT=1 does at run time).
# Re-running replaces a previous install. Uninstall: rm -r PREFIX/lib/jrunc PREFIX/bin/jrunc PREFIX/bin/containerd-shim-jrunc-v2
set -eu
prefix=${1:-/usr/local}
here=$(cd "$(dirname "$0")/.." && pwd)
jar=$here/runtime-cli/target/jrunc.jar
if [ ! -f "$jar" ]; then
  echo "install.sh: $jar not found; build it first: scripts/mvn -o -q -pl runtime-cli -am package" >&2
  exit 1
fi
jhome=$("$here/scripts/jdk25")
lib=$prefix/lib/jrunc

install -d "$prefix/bin" "$lib"
top=$(cd "$prefix" && pwd -P)

# launcher SRC DEST: installs the launcher SRC as DEST with the absolute prefix written into its
# `installed_top=` line, so that a copy of DEST placed elsewhere still finds lib/jrunc (a
# temporary name, then a rename: a running launcher keeps reading the old file intact)
launcher() {
  q=$(printf '%s' "$top" | sed "s/'/'\\\\''/g") # a single-quoted shell word
  line=$(printf "installed_top='%s'" "$q" | sed 's/[\\&|]/\\&/g') # safe in sed's replacement
  new=${2%/*}/.${2##*/}.new
  sed "s|^installed_top=\$|$line|" "$1" >"$new"
  grep -q '^installed_top=.' "$new" || { echo "install.sh: $1 has no installed_top= line" >&2; exit 1; }
  chmod 0755 "$new" && mv -f "$new" "$2"
}
rm -f "$lib"/jrunc.aot "$lib"/jrunc-*.aot # trained again below for this jar
# copy to a temporary name and rename: a running jrunc keeps reading the old jar intact
install -m 0644 "$jar" "$lib/.jrunc.jar.new" && mv -f "$lib/.jrunc.jar.new" "$lib/jrunc.jar"
printf '%s\n' "$jhome" >"$lib/.java-home.new" && mv -f "$lib/.java-home.new" "$lib/java-home"
launcher "$here/bin/jrunc" "$prefix/bin/jrunc"

# The shim is optional: installed when its jar was built (it needs protoc from Maven Central).
shimjar=$here/runtime-shim/target/containerd-shim-jrunc-v2.jar
if [ -f "$shimjar" ]; then
  install -m 0644 "$shimjar" "$lib/.shim.jar.new" && mv -f "$lib/.shim.jar.new" "$lib/containerd-shim-jrunc-v2.jar"
  launcher "$here/bin/containerd-shim-jrunc-v2" "$prefix/bin/containerd-shim-jrunc-v2"
  rm -f "$lib/containerd-shim-jrunc-v2.aot"
  if [ -z "${JRUNC_NO_AOT:-}" ] && ! JRUNC_AOT_TRAIN=1 "$prefix/bin/containerd-shim-jrunc-v2" >/dev/null 2>&1; then
    rm -f "$lib/containerd-shim-jrunc-v2.aot"
    echo "install.sh: warning: the shim's AOT training failed; it works, but starts slower" >&2
  fi
  echo "installed: $prefix/bin/containerd-shim-jrunc-v2 (containerd runtime type io.containerd.jrunc.v2)"
fi

# The training run goes through the installed launcher, so the cache matches its JVM flags.
if [ -z "${JRUNC_NO_AOT:-}" ] && ! JRUNC_AOT_TRAIN=1 "$prefix/bin/jrunc" >/dev/null 2>&1; then
  rm -f "$lib/jrunc.aot"
  echo "install.sh: warning: AOT training failed; jrunc works, but starts slower" >&2
fi
echo "installed: $prefix/bin/jrunc ($("$prefix/bin/jrunc" --version | head -n 1), java $jhome)"
