#!/usr/bin/env bash
# Runs the WSL suite against the wsl.exe simulator (tests/fakes/wsl.exe): builds the test rootfs
# images when needed (busybox ones, and the "nix" ones from the LXD test bed's Debian images;
# cached in .testbed/wsl/), then, as three concurrent `deno test` runs (each with its own
# simulator state):
#   1. every other test of tests/wsl/ (the driver's and the simulator's) and tests/fakes/ (the
#      pure tests of tests/driver/wsl/ are the unit suite's),
#   2. the CLI lifecycle (tests/wsl/lifecycle_test.ts),
#   3. the CLI under faults and the spawn budget (tests/wsl/cli_faults_test.ts).
# Needs root (the simulator uses mount namespaces and chroot) and Debian's busybox-static; the
# nix images need the LXD test bed's images (scripts/lxd-testbed.sh). Extra arguments go to every
# deno test (e.g. --filter). Each run's output is printed when it ends.
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
if [ ! -d "$REPO"/.testbed/lxd ] || ! ls "$REPO"/.testbed/lxd/images-*/store.tar >/dev/null 2>&1; then
  echo "test-wsl: building the LXD test bed's images first (scripts/lxd-testbed.sh)" >&2
  bash "$REPO/scripts/lxd-testbed.sh" >&2
fi
bash "$REPO/scripts/wsl_test_images.sh" --nix >/dev/null
cd "$REPO"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
start=$(date +%s)
others=()
for f in tests/wsl/*_test.ts; do
  case $f in */lifecycle_test.ts | */cli_faults_test.ts) ;; *) others+=("$f") ;; esac
done
deno test -A "$@" "${others[@]}" tests/fakes/ >"$logs/1" 2>&1 &
p1=$!
deno test -A "$@" tests/wsl/lifecycle_test.ts >"$logs/2" 2>&1 &
p2=$!
deno test -A "$@" tests/wsl/cli_faults_test.ts >"$logs/3" 2>&1 &
p3=$!
rc=0
for n in 1 2 3; do
  pid_var="p$n"
  code=0
  wait "${!pid_var}" || code=$?
  cat "$logs/$n"
  [ "$code" = 0 ] || rc=$code
done
echo "test-wsl: $(( $(date +%s) - start )) s, exit $rc" >&2
exit "$rc"
