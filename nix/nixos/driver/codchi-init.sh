# codchi-init: the machine's welcome, then its codchi.initScript, in the machine user's home.
# `codchi init` / `codchi clone` run it once in the user's terminal (unless -n); typing
# `codchi-init` inside the machine runs it again. Exits with the init script's exit code.
# The one body of the command: the NixOS module (nix/nixos/driver/init.nix) and the test bed's
# stand-in machine image (scripts/lxd-testbed.sh) both wrap this file, setting
#   CODCHI_INIT_SCRIPT   the init script (a file; absent or empty: nothing to run)
#   CODCHI_INIT_WELCOME  a command printing the welcome (may be empty)
#   CODCHI_INIT_MARKER   a file touched after each run (a record that the init script ran)
set -u
if [ -n "${CODCHI_INIT_WELCOME:-}" ]; then
  "$CODCHI_INIT_WELCOME" || true
  echo
fi
cd "${HOME:-/}" || exit 1
rc=0
if [ -s "${CODCHI_INIT_SCRIPT:-}" ]; then
  bash "$CODCHI_INIT_SCRIPT" || rc=$?
fi
if [ -n "${CODCHI_INIT_MARKER:-}" ]; then
  mkdir -p "$(dirname "$CODCHI_INIT_MARKER")" && date -u +%FT%TZ >"$CODCHI_INIT_MARKER" || true
fi
exit "$rc"
