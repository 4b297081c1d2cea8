#!/usr/bin/env bash
# Runs the fault suite (tests/faults/) on the real LXD: SIGKILL/SIGINT at every journal step of
# every multi-step command, concurrent pairs, a full disk (a small tmpfs: needs root), hand-edited
# files, containers changed behind codchi's back. Sets up the test bed when needed (cached).
# There is one `codchistore` per host, so the run holds /tmp/codchi-lxd.lock (CODCHI_LXD_LOCK
# overrides), like scripts/test-lxd.sh. Extra arguments go to deno test (e.g. --filter).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
LOCK=${CODCHI_LXD_LOCK:-/tmp/codchi-lxd.lock}
if [ -z "${CODCHI_LXD_LOCK_HELD:-}" ]; then
  echo "test-faults: waiting for $LOCK" >&2
  exec env CODCHI_LXD_LOCK_HELD=1 flock "$LOCK" bash "$0" "$@"
fi
bash "$REPO/scripts/lxd-testbed.sh"
# shellcheck disable=SC1091
source "$REPO/.testbed.env"
cd "$REPO"
exec deno test -A "$@" tests/faults/
