#!/usr/bin/env bash
# Runs the WSL suite against the wsl.exe simulator (tests/fakes/wsl.exe): builds the busybox test
# rootfs images when needed (cached in .testbed/wsl/), then `deno test -A tests/wsl/` plus the
# driver's and the simulator's unit tests. Needs root (the simulator uses mount namespaces and
# chroot) and Debian's busybox-static. Extra arguments go to deno test (e.g. --filter).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" != 0 ]; then
  echo "test-wsl: the wsl.exe simulator needs root (unshare --mount, nsenter, chroot)." >&2
  exit 9
fi
for tool in unshare nsenter setsid tar; do
  command -v "$tool" >/dev/null || { echo "test-wsl: $tool is missing (util-linux / tar)." >&2; exit 9; }
done
bash "$REPO/scripts/wsl_test_images.sh" >/dev/null
cd "$REPO"
exec deno test -A "$@" tests/wsl/ tests/driver/wsl/ tests/fakes/
