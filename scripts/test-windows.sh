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

# The X probe: a test inside Wine writes a window title to <name>.req in this folder; we answer
# with xwininfo's view of that window in <name>.res and keep a screenshot of it (<name>.xwd).
XPROBE="$OUT/xprobe"
mkdir -p "$XPROBE"
xprobe_loop() {
  while :; do
    for req in "$XPROBE"/*.req; do
      [ -e "$req" ] || continue
      name=${req%.req}
      title=$(cat "$req")
      xwininfo -name "$title" >"$name.out" 2>&1 || true
      xwd -silent -name "$title" -out "$name.xwd" 2>/dev/null || true
      mv "$name.out" "$name.res"
      rm -f "$req"
    done
    sleep 0.1
  done
}
PROBE_PID=""

cleanup() {
  # Only this prefix's wineserver, our probe loop and our own Xvfb are stopped.
  [ -z "$PROBE_PID" ] || kill "$PROBE_PID" 2>/dev/null || true
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

xprobe_loop &
PROBE_PID=$!

MANIFEST_UNIX="$OUT/lnk-manifest.json"
MANIFEST_WIN="Z:${MANIFEST_UNIX//\//\\}"
start=$(date +%s%N)
status=0
CODCHI_WINE_OUT="Z:${OUT//\//\\}" CODCHI_XPROBE="Z:${XPROBE//\//\\}" CODCHI_LNK_MANIFEST="$MANIFEST_WIN" timeout "${CODCHI_WINE_TIMEOUT:-600}" wine "$CODCHI_WINE_DENO" test -A --no-lock "$@" tests/windows/ ||
  status=$?
echo "[test-windows] wine deno.exe test: exit $status in $((($(date +%s%N) - start) / 1000000)) ms"

# The certificate store's bundle (tests/windows/cert_store_test.ts): openssl parses every block,
# and every CA of this host is in it (Wine fills its ROOT store from the host's certificates).
BUNDLE="$OUT/cert-bundle.pem"
if [ -f "$BUNDLE" ]; then
  rm -rf "$OUT/certs"
  mkdir -p "$OUT/certs"
  awk -v dir="$OUT/certs" '/-----BEGIN CERTIFICATE-----/ {n++} n {print > (dir "/" n ".pem")}' "$BUNDLE"
  parsed=0
  for f in "$OUT"/certs/*.pem; do
    if openssl x509 -noout -in "$f" 2>/dev/null; then
      parsed=$((parsed + 1))
      openssl x509 -noout -fingerprint -sha256 -in "$f" >>"$OUT/certs/wine.fp"
    else
      echo "[test-windows] openssl cannot parse certificate $f of the store's bundle" >&2
      status=1
    fi
  done
  expected=$(cat "$OUT/cert-bundle.count")
  if [ "$parsed" != "$expected" ]; then
    echo "[test-windows] openssl parsed $parsed certificates, the test wrote $expected" >&2
    status=1
  fi
  host_missing=0
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    awk -v dir="$OUT/certs" '/-----BEGIN CERTIFICATE-----/ {n++} n {print > (dir "/host-" n ".crt")}' \
      /etc/ssl/certs/ca-certificates.crt
    for f in "$OUT"/certs/host-*.crt; do
      fp=$(openssl x509 -noout -fingerprint -sha256 -in "$f")
      grep -qxF "$fp" "$OUT/certs/wine.fp" || host_missing=$((host_missing + 1))
    done
  fi
  if [ "$host_missing" != 0 ]; then
    echo "[test-windows] $host_missing of this host's CAs are missing from the store's bundle" >&2
    status=1
  fi
  echo "[test-windows] certificate store bundle: openssl parsed $parsed of $expected; host CAs missing: $host_missing"
fi

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
