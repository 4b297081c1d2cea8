#!/usr/bin/env bash
# Runs the remote-server suite (tests/remote/): the local LXD daemon is exposed on the loopback
# address 127.0.0.1:8443 ONLY, added to a throw-away client config as a remote, and codchi runs its
# machines through it. Like the other real-LXD suites it holds /tmp/codchi-lxd.lock
# (CODCHI_LXD_LOCK overrides); core.https_address is put back as it was when it ends, however it ends.
# Extra arguments go to deno test (e.g. --filter).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
LOCK=${CODCHI_LXD_LOCK:-/tmp/codchi-lxd.lock}
if [ -z "${CODCHI_LXD_LOCK_HELD:-}" ]; then
  echo "test-remote: waiting for $LOCK" >&2
  exec env CODCHI_LXD_LOCK_HELD=1 flock "$LOCK" bash "$0" "$@"
fi
ADDR=127.0.0.1:8443
bash "$REPO/scripts/lxd-testbed.sh"
# shellcheck disable=SC1091
source "$REPO/.testbed.env"
before=$(lxc config get core.https_address)
restore() {
  if [ -n "$before" ]; then
    lxc config set core.https_address "$before"
  else
    lxc config unset core.https_address
  fi
}
trap restore EXIT
# Loopback only: never any other address.
lxc config set core.https_address "$ADDR"
[ "$(lxc config get core.https_address)" = "$ADDR" ] || {
  echo "test-remote: core.https_address is not $ADDR" >&2
  exit 1
}
cd "$REPO"
CODCHI_TEST_REMOTE_ADDR=$ADDR deno test -A "$@" tests/remote/
