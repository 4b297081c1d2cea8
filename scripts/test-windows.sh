#!/usr/bin/env bash
# Runs the Windows host tests (tests/windows/) with the Windows deno.exe under Wine, then checks
# every shortcut they wrote with Linux `lnkinfo`. Sets up the test bed first when needed.
#
#   bash scripts/test-windows.sh [extra deno test args, e.g. --filter tray]
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BED="$REPO/.testbed/wine"
cd "$REPO"

bash scripts/wine-testbed.sh
# shellcheck source=/dev/null
source "$BED/env.sh"

OUT="$BED/out"
rm -rf "$OUT"
mkdir -p "$OUT"

# Our own X server on a free display: the tray needs one, and the wineserver must start with it.
display=""
for n in $(seq 90 140); do
  if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then display=$n; break; fi
done
[ -n "$display" ] || { echo "no free X display in :90..:140" >&2; exit 1; }
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$OUT/xvfb.log" 2>&1 &
XVFB_PID=$!
export DISPLAY=":$display"

cleanup() {
  # Only this prefix's wineserver and our own Xvfb are stopped.
  wineserver -k 2>/dev/null || true
  kill "$XVFB_PID" 2>/dev/null || true
  wait "$XVFB_PID" 2>/dev/null || true
  # deno.exe under Wine leaves a ~93 MiB node.exe.tmp-<pid> copy per run that spawns a process.
  rm -f "$WINEPREFIX"/drive_c/users/*/AppData/Local/deno/node_compat_bin/node.exe.tmp-*
}
trap cleanup EXIT

for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
[ -e "/tmp/.X11-unix/X$display" ] || { echo "Xvfb did not start on :$display" >&2; exit 1; }

# A wineserver left from a headless run has no display, and the tray would fail in it:
# wait for it to end (it exits a few seconds after its last client), else stop it.
timeout 15 wineserver -w || wineserver -k || true

MANIFEST_UNIX="$OUT/lnk-manifest.json"
MANIFEST_WIN="Z:${MANIFEST_UNIX//\//\\}"
start=$(date +%s%N)
status=0
CODCHI_LNK_MANIFEST="$MANIFEST_WIN" timeout 600 wine "$CODCHI_WINE_DENO" test -A --no-lock "$@" tests/windows/ ||
  status=$?
echo "[test-windows] wine deno.exe test: exit $status in $((($(date +%s%N) - start) / 1000000)) ms"

if [ -f "$MANIFEST_UNIX" ]; then
  deno run --no-lock --allow-read --allow-run=lnkinfo scripts/wine/check_lnk.ts "$MANIFEST_UNIX" "$WINEPREFIX" ||
    status=1
  # The shortcuts were left for lnkinfo; remove them now.
  folder=$(deno eval --no-lock --quiet "console.log(JSON.parse(Deno.readTextFileSync('$MANIFEST_UNIX')).folder)")
  machine=$(deno eval --no-lock --quiet "console.log(JSON.parse(Deno.readTextFileSync('$MANIFEST_UNIX')).machine)")
  programs=$(deno run --no-lock --allow-read scripts/wine/check_lnk.ts --unix "$WINEPREFIX" "$folder" 2>/dev/null || true)
  case "$programs" in
  "$WINEPREFIX"/drive_c/users/*/Codchi\ -\ wine-*) rm -rf "$programs" ;;
  *) echo "[test-windows] not removing unexpected folder '$programs'" >&2 ;;
  esac
  [[ "$machine" =~ ^wine-[0-9]+$ ]] || { echo "[test-windows] odd machine '$machine'" >&2; exit 1; }
  rm -rf "$WINEPREFIX"/drive_c/users/*/AppData/Local/codchi/icons/"$machine" \
    "$WINEPREFIX"/drive_c/users/*/AppData/Local/Microsoft/Windows\ Terminal/Fragments/codchi/"$machine".json \
    "$WINEPREFIX"/drive_c/users/*/AppData/Roaming/codchi/machines/"$machine"
elif [ "$status" = 0 ] && [ $# -eq 0 ]; then
  echo "[test-windows] the shortcut test wrote no manifest: lnkinfo checked nothing" >&2
  status=1
fi
exit "$status"
