#!/usr/bin/env bash
# Host-integration tests against real components: desktop-file-validate, gio, xmllint, pyxdg,
# Xvfb + xauth + x11-utils, headless weston, PulseAudio, dbus-daemon.
# Each test starts and stops its own servers on free display numbers / temp dirs; nothing global.
#   bash scripts/test-host.sh            run tests/real_desktop (extra args go to `deno test`)
#   bash scripts/test-host.sh --install  first apt-get install what is missing (needs root);
#                                        done by itself in CI (CI=true) when running as root
set -euo pipefail
cd "$(dirname "$0")/.."

install=0
if [[ "${1:-}" == "--install" ]]; then
  install=1
  shift
fi
if [[ "${CI:-}" == "true" && $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  install=1
fi

# tool → Debian package
declare -A pkg=(
  [desktop-file-validate]=desktop-file-utils
  [gio]=libglib2.0-bin
  [gsettings]=libglib2.0-bin
  [xmllint]=libxml2-utils
  [Xvfb]=xvfb
  [xauth]=xauth
  [xdpyinfo]=x11-utils
  [xwininfo]=x11-utils
  [weston]=weston
  [wayland-info]=wayland-utils
  [pulseaudio]=pulseaudio
  [pactl]=pulseaudio-utils
  [paplay]=pulseaudio-utils
  [dbus-daemon]=dbus-daemon
  [setpriv]=util-linux
)
missing=()
for tool in "${!pkg[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${pkg[$tool]}")
done
/usr/bin/python3 -c 'import xdg.Menu' >/dev/null 2>&1 || missing+=(python3-xdg)

if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if ((install)); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
      { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
  else
    echo "test-host: missing packages: ${missing[*]}" >&2
    echo "test-host: install them with: apt-get install ${missing[*]}  (or run with --install)" >&2
    exit 1
  fi
fi

exec deno test -A tests/real_desktop/ "$@"
