#!/usr/bin/env bash
# The test command of the README and of CI: installs what the suites need (Deno, Debian packages,
# LXD with a network-free preseed), then runs every suite with `deno task test:all`, which ends
# with one line `N passed, N failed`. Needs root (LXD, debootstrap, chroot, Wine).
#   bash scripts/test.sh [suite…]   (suites: checks unit host secrets lxd host-lxd release wsl windows)
# As root, or as a user with sudo: it then runs itself again through sudo.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
# Root is needed (apt, LXD): not root and sudo exists -> run again through sudo.
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then
  exec sudo -- bash "$0" "$@"
fi
bash "$REPO/scripts/setup.sh" --test-deps >&2 || { echo "0 passed, 1 failed"; exit 1; }
cd "$REPO"
exec deno task -q test:all "$@"
