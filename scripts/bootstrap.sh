#!/bin/sh
# scripts/bootstrap.sh demo|check|bench - from a fresh Debian 12 (as root):
# install the build tools and every package discfs needs, then run make TARGET.
set -eu
cd "$(dirname "$0")/.."
target=${1:-check}
sh scripts/deps.sh
exec make "$target"
