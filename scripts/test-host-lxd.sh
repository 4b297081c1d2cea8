#!/usr/bin/env bash
# End-to-end proofs of the Linux host integration (issue 5) and of secrets (issue 7) on the REAL
# LXD test bed, through the real CLI: tests/lxd/host_*_test.ts and tests/lxd/secrets_*_test.ts.
# One `codchistore` per host and other suites use the same LXD: everything runs under
# /tmp/codchi-lxd.lock, and each test file removes codchistore and codchi-* containers at its
# start and end. Needs (Debian): xvfb x11-apps x11-utils xauth weston wayland-utils pulseaudio
# pulseaudio-utils dbus gnome-keyring libsecret-tools desktop-file-utils libglib2.0-bin.
# Extra arguments go to `deno test`. Screenshots land in .testbed/artifacts/.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
LOCK=${CODCHI_LXD_LOCK:-/tmp/codchi-lxd.lock}
cd "$REPO"
exec flock "$LOCK" bash -c '
  set -euo pipefail
  bash scripts/lxd-testbed.sh
  # shellcheck disable=SC1091
  source .testbed.env
  export CODCHI_LXD_STORE_IMAGE CODCHI_LXD_MACHINE_IMAGE CODCHI_DRIVER_FLAKE
  mkdir -p .testbed/artifacts
  exec deno test -A "$@" tests/lxd/host_*_test.ts tests/lxd/secrets_*_test.ts
' test-host-lxd "$@"
