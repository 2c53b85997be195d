#!/bin/sh
# End to end, as an embedder would: install jrunc's artifacts into a Maven local repository,
# build the example project against them, and run it (as root) on the module path.
# Usage: examples/run.sh BUNDLE [ID [ROOT]]   (ROOT: the state directory, default /run/jrunc-example)
#   BUNDLE  an OCI bundle, e.g. from: scripts/make-bundle.sh /tmp/b sh -c 'echo hello'
#   JRUNC_M2=DIR  the local repository to install into and build from (default: Maven's own,
#                 ~/.m2/repository); MVN_ARGS=-o builds offline
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: examples/run.sh BUNDLE [ID [ROOT]]" >&2; exit 2; }
bundle=$(cd "$1" && pwd); shift
repo=${JRUNC_M2:+-Dmaven.repo.local=$JRUNC_M2}
# 1. the library into the local repository (the CLI's AOT training is not needed here)
"$top/scripts/mvn" -q ${MVN_ARGS:-} $repo -DskipTests -Djrunc.skipAot=true install -f "$top/pom.xml"
# 2. the example against the installed io.jrunc:runtime-core, with its runtime jars in target/lib
"$top/scripts/mvn" -q ${MVN_ARGS:-} $repo package -f "$top/examples/pom.xml"
# 3. run it: a named module on the module path, native access granted to jrunc's module only
java_home=$("$top/scripts/jdk25")
exec "$java_home/bin/java" --enable-native-access=io.jrunc.core \
  -p "$top/examples/target/classes:$top/examples/target/lib" \
  -m io.jrunc.example/io.jrunc.example.RunBusybox "$bundle" "$@"
