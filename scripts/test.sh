#!/bin/sh
# Runs the whole test suite: unit tests, then the real-kernel tests (as root) of every module.
set -eu
cd "$(dirname "$0")/.."
exec scripts/mvn -B verify "$@"
