#!/usr/bin/env bash
# Runs the real-LXD test suite: sets up the test bed when needed (scripts/lxd-testbed.sh is
# idempotent and cached, a second run takes a few seconds), then `deno test -A tests/lxd/` (the host/secrets e2e files run in test-host-lxd.sh).
# Extra arguments go to deno test (e.g. --filter).
# There is one `codchistore` per host, so every real-LXD run holds /tmp/codchi-lxd.lock
# (CODCHI_LXD_LOCK overrides): runs by other people or agents on this host wait their turn.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
LOCK=${CODCHI_LXD_LOCK:-/tmp/codchi-lxd.lock}
if [ -z "${CODCHI_LXD_LOCK_HELD:-}" ]; then
  echo "test-lxd: waiting for $LOCK" >&2
  exec env CODCHI_LXD_LOCK_HELD=1 flock "$LOCK" bash "$0" "$@"
fi
bash "$REPO/scripts/lxd-testbed.sh"
# shellcheck disable=SC1091
source "$REPO/.testbed.env"
cd "$REPO"
exec deno test -A --ignore="tests/lxd/host_gui_test.ts,tests/lxd/secrets_e2e_test.ts" "$@" tests/lxd/
