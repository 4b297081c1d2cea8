#!/usr/bin/env bash
# Runs the remote-server suite (tests/remote/): the local daemon is exposed on a loopback address
# ONLY, added to a throw-away client config as a remote, and codchi runs its machines through it.
#   bash scripts/test-remote.sh [--incus] [deno test arguments, e.g. --filter]
# LXD (default): 127.0.0.1:8443, holding /tmp/codchi-lxd.lock (CODCHI_LXD_LOCK overrides).
# --incus: the Incus daemon (started by scripts/lxd-up.sh --incus, needs root) on 127.0.0.1:8444,
# holding /tmp/codchi-incus.lock (CODCHI_INCUS_LOCK) like scripts/test-incus.sh; the CLI gets
# CODCHI_DRIVER=incus. core.https_address is put back as it was when it ends, however it ends.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
engine=lxd
if [ "${1:-}" = --incus ]; then
  engine=incus
  shift
fi
if [ $engine = incus ]; then
  client=incus
  ADDR=127.0.0.1:8444
  LOCK=${CODCHI_INCUS_LOCK:-/tmp/codchi-incus.lock}
else
  client=lxc
  ADDR=127.0.0.1:8443
  LOCK=${CODCHI_LXD_LOCK:-/tmp/codchi-lxd.lock}
fi
HELD=CODCHI_$(echo $engine | tr a-z A-Z)_LOCK_HELD
if [ -z "${!HELD:-}" ]; then
  if [ $engine = incus ]; then
    [ "$(id -u)" = 0 ] || { echo "test-remote: --incus needs root (starts incusd)" >&2; exit 9; }
    # The test images are built under the LXD lock (as scripts/test-incus.sh does).
    flock "${CODCHI_LXD_LOCK:-/tmp/codchi-lxd.lock}" bash "$REPO/scripts/lxd-testbed.sh"
    bash "$REPO/scripts/lxd-up.sh" --incus
    if incus -q profile device show default | grep -q 'type: nic'; then
      echo "test-remote: the default Incus profile has a network device; refusing to run" >&2
      exit 1
    fi
    echo "test-remote: waiting for $LOCK" >&2
    exec env CODCHI_INCUS_LOCK_HELD=1 flock "$LOCK" bash "$0" --incus "$@"
  fi
  echo "test-remote: waiting for $LOCK" >&2
  exec env CODCHI_LXD_LOCK_HELD=1 flock "$LOCK" bash "$0" "$@"
fi
cd "$REPO"
if [ $engine = lxd ]; then
  bash scripts/lxd-testbed.sh
fi
# shellcheck disable=SC1091
source .testbed.env
if [ $engine = incus ]; then
  # Links of this run's images: a later test-bed build may replace the shared cache.
  mkdir -p .testbed/incus
  ln -f "$CODCHI_LXD_STORE_IMAGE" .testbed/incus/store.tar
  ln -f "$CODCHI_LXD_MACHINE_IMAGE" .testbed/incus/machine.tar
  CODCHI_LXD_STORE_IMAGE=$PWD/.testbed/incus/store.tar
  CODCHI_LXD_MACHINE_IMAGE=$PWD/.testbed/incus/machine.tar
  export CODCHI_LXD_STORE_IMAGE CODCHI_LXD_MACHINE_IMAGE
  export CODCHI_TEST_ENGINE=incus
fi
before=$($client config get core.https_address)
restore() {
  if [ -n "$before" ]; then
    $client config set core.https_address "$before"
  else
    $client config unset core.https_address
  fi
}
trap restore EXIT
# Loopback only: never any other address.
$client config set core.https_address "$ADDR"
[ "$($client config get core.https_address)" = "$ADDR" ] || {
  echo "test-remote: core.https_address is not $ADDR" >&2
  exit 1
}
CODCHI_TEST_REMOTE_ADDR=$ADDR deno test -A "$@" tests/remote/
