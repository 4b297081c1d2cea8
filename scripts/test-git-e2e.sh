#!/usr/bin/env bash
# Runs the git end-to-end suite (tests/git_e2e/): a real git server (git http-backend behind HTTPS
# on 127.0.0.1) reached from the real-LXD test bed's store through a loopback proxy device, and the
# CLI adding modules as users do. Sets up the test bed when needed (scripts/lxd-testbed.sh).
# Extra arguments go to deno test (e.g. --filter).
# There is one `codchistore` per host, so the run holds /tmp/codchi-lxd.lock (CODCHI_LXD_LOCK
# overrides), like scripts/test-lxd.sh.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
LOCK=${CODCHI_LXD_LOCK:-/tmp/codchi-lxd.lock}
if [ -z "${CODCHI_LXD_LOCK_HELD:-}" ]; then
  echo "test-git-e2e: waiting for $LOCK" >&2
  exec env CODCHI_LXD_LOCK_HELD=1 flock "$LOCK" bash "$0" "$@"
fi
for tool in git openssl; do
  command -v "$tool" >/dev/null || {
    echo "test-git-e2e: $tool is missing (sudo bash scripts/setup.sh --test-deps)" >&2
    exit 1
  }
done
bash "$REPO/scripts/lxd-testbed.sh"
# shellcheck disable=SC1091
source "$REPO/.testbed.env"
cd "$REPO"
exec deno test -A "$@" tests/git_e2e/
