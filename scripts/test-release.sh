#!/usr/bin/env bash
# The release suite on real LXD: the test bed's images served as a release by a real HTTP server
# on 127.0.0.1 (download, resume, tamper, cache through `codchi init`), then `codchi uninstall`.
# Holds /tmp/codchi-lxd.lock like scripts/test-lxd.sh (one LXD, one `codchistore` per host).
# Extra arguments go to deno test (e.g. --filter).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
LOCK=${CODCHI_LXD_LOCK:-/tmp/codchi-lxd.lock}
if [ -z "${CODCHI_LXD_LOCK_HELD:-}" ]; then
  echo "test-release: waiting for $LOCK" >&2
  exec env CODCHI_LXD_LOCK_HELD=1 flock "$LOCK" bash "$0" "$@"
fi
bash "$REPO/scripts/lxd-testbed.sh"
# shellcheck disable=SC1091
source "$REPO/.testbed.env"
cd "$REPO"
exec deno test -A "$@" tests/release_lxd/
