#!/usr/bin/env bash
# The real-engine suites against Incus instead of LXD (issue 16 part 1): Incus from Debian
# (bookworm-backports on Debian 12) started by hand and initialised by the same network-free
# preseed as LXD (scripts/lxd-up.sh --incus), the same test images (scripts/lxd-testbed.sh), then
# the lifecycle contract, the GUI/sound suite, the USB test and the projects test with CODCHI_TEST_ENGINE=incus (the CLI gets
# CODCHI_DRIVER=incus). Incus has its own `codchistore`, so runs hold /tmp/codchi-incus.lock;
# building the images holds the LXD lock briefly. Extra arguments go to `deno test`.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
[ "$(id -u)" = 0 ] || { echo "test-incus: needs root (starts incusd)" >&2; exit 9; }
flock "${CODCHI_LXD_LOCK:-/tmp/codchi-lxd.lock}" bash scripts/lxd-testbed.sh
bash scripts/lxd-up.sh --incus
if incus -q profile device show default | grep -q 'type: nic'; then
  echo "test-incus: the default Incus profile has a network device; refusing to run" >&2
  exit 1
fi
exec flock "${CODCHI_INCUS_LOCK:-/tmp/codchi-incus.lock}" bash -c '
  set -euo pipefail
  # shellcheck disable=SC1091
  source .testbed.env
  # Links of this run'"'"'s images: a later test-bed build may replace the shared cache.
  mkdir -p .testbed/incus
  ln -f "$CODCHI_LXD_STORE_IMAGE" .testbed/incus/store.tar
  ln -f "$CODCHI_LXD_MACHINE_IMAGE" .testbed/incus/machine.tar
  CODCHI_LXD_STORE_IMAGE=$PWD/.testbed/incus/store.tar
  CODCHI_LXD_MACHINE_IMAGE=$PWD/.testbed/incus/machine.tar
  export CODCHI_LXD_STORE_IMAGE CODCHI_LXD_MACHINE_IMAGE CODCHI_DRIVER_FLAKE
  export CODCHI_TEST_ENGINE=incus
  mkdir -p .testbed/artifacts
  exec deno test -A "$@" tests/lxd/lifecycle_test.ts tests/lxd/host_gui_test.ts tests/lxd/usb_test.ts \
    tests/lxd/projects_test.ts
' test-incus "$@"
