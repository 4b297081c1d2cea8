#!/usr/bin/env bash
# Runs the real-LXD test suite: sets up the test bed when needed (scripts/lxd-testbed.sh is
# idempotent and cached, a second run takes a few seconds), then `deno test -A tests/lxd/`.
# Extra arguments go to deno test (e.g. --filter).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
bash "$REPO/scripts/lxd-testbed.sh"
# shellcheck disable=SC1091
source "$REPO/.testbed.env"
cd "$REPO"
exec deno test -A "$@" tests/lxd/
