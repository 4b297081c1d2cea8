#!/usr/bin/env bash
# Runs tests/real_keyring against a private D-Bus session bus with a real gnome-keyring-daemon
# (Secret Service), plus a second bus with no Secret Service at all. Everything lives in a temp
# folder (HOME, XDG dirs, sockets) and is torn down at exit; only the processes started here are
# stopped. Needs: dbus-daemon, dbus-send, gnome-keyring-daemon, secret-tool (Debian: dbus,
# gnome-keyring, libsecret-tools). Extra arguments go to `deno test`.
set -euo pipefail

need=(dbus-daemon dbus-send gnome-keyring-daemon secret-tool)
missing=()
for tool in "${need[@]}"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  if [[ "${CI:-}" == "true" && $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get update -q >/dev/null && apt-get install -y -q dbus dbus-bin gnome-keyring libsecret-tools >/dev/null
  else
    echo "test-host-secrets: missing ${missing[*]} (apt-get install dbus gnome-keyring libsecret-tools)" >&2
    exit 1
  fi
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d /tmp/codchi-secrets-test.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# Keep Deno's cache where it is: only the keyring's view of HOME moves.
export DENO_DIR="${DENO_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/deno}"
export HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/home/.local/share" \
  XDG_CONFIG_HOME="$tmp/home/.config" XDG_CACHE_HOME="$tmp/home/.cache"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
mkdir -m 0700 "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL

# A bus with the session's usual activation files (the keyring is started below, not activated).
dbus-daemon --session --nofork --nopidfile --address="unix:path=$tmp/run/bus" 2>"$tmp/bus.log" &
pids+=($!)

# A bus that knows no services at all: "no Secret Service here".
cat >"$tmp/empty-bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$tmp/empty-bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
dbus-daemon --config-file="$tmp/empty-bus.conf" --nofork --nopidfile 2>"$tmp/empty-bus.log" &
pids+=($!)

export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/run/bus"
for _ in $(seq 100); do [[ -S "$tmp/run/bus" && -S "$tmp/empty-bus" ]] && break; sleep 0.05; done

password="codchi-test-keyring-password"
# --unlock reads the login keyring's password on stdin (creating the keyring on first use).
printf '%s' "$password" | gnome-keyring-daemon --foreground --unlock --components=secrets \
  >"$tmp/keyring.log" 2>&1 &
pids+=($!)

owned() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q 'boolean true'
}
for _ in $(seq 200); do owned && break; sleep 0.05; done
if ! owned; then
  echo "test-host-secrets: gnome-keyring-daemon did not take org.freedesktop.secrets" >&2
  cat "$tmp/keyring.log" >&2
  exit 1
fi

export CODCHI_TEST_KEYRING_BUS="$DBUS_SESSION_BUS_ADDRESS"
export CODCHI_TEST_EMPTY_BUS="unix:path=$tmp/empty-bus"
export CODCHI_TEST_KEYRING_PASSWORD="$password"
# systemd's env-file parser through systemd-hostnamed in a private mount namespace (root only).
if [[ $(id -u) == 0 ]] && command -v unshare >/dev/null && command -v busctl >/dev/null; then
  export CODCHI_TEST_SYSTEMD_PARSER=1
else
  echo "test-host-secrets: not root or no unshare/busctl: systemd parser test skipped" >&2
fi
cd "$repo"
deno test -A tests/real_keyring/ "$@"
