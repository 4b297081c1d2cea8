#!/usr/bin/env bash
# Takes a fresh Debian/Ubuntu machine to a working `codchi`:
#   - Deno from the npm registry when missing (npm from Debian when missing),
#   - the CLI installed as `codchi` (deno install; /usr/local/bin as root, else ~/.deno/bin),
#   - LXD installed, started and initialised safely (scripts/lxd-up.sh; needs root; --no-lxd skips),
#   - then `codchi doctor` tells what else this host lacks.
#   bash scripts/setup.sh [--no-lxd] [--test-deps]
# Run it as root, or as a user with sudo: it then runs itself again through sudo.
# --test-deps also installs the Debian packages the test suites use (for scripts/test.sh).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
# Root is needed (apt, LXD): not root and sudo exists -> run again through sudo.
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then
  exec sudo -- bash "$0" "$@"
fi
lxd=1
test_deps=0
for a in "$@"; do
  case "$a" in
  --no-lxd) lxd=0 ;;
  --test-deps) test_deps=1 ;;
  *) echo "setup: unknown option $a" >&2; exit 2 ;;
  esac
done
log() { printf '[setup] %s\n' "$*" >&2; }
root=0
[ "$(id -u)" = 0 ] && root=1
apt_install() {
  [ $root = 1 ] || { log "not root: please install $*"; return 1; }
  export DEBIAN_FRONTEND=noninteractive
  [ -n "${APT_UPDATED:-}" ] || { apt-get update -qq; APT_UPDATED=1; }
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! command -v deno >/dev/null; then
  command -v npm >/dev/null || { log "installing npm"; apt_install nodejs npm; }
  log "installing Deno from the npm registry"
  npm install -g --silent deno@2 >/dev/null
  hash -r
fi
log "$(deno --version | head -1)"

if [ $test_deps = 1 ]; then
  log "installing the test suites' Debian packages"
  apt_install nix-bin debootstrap busybox-static util-linux tar xz-utils git openssl ca-certificates \
    xvfb x11-apps x11-utils xauth weston wayland-utils pulseaudio pulseaudio-utils \
    dbus dbus-x11 gnome-keyring libsecret-tools desktop-file-utils libglib2.0-bin \
    libxml2-utils python3-xdg liblnk-utils dash zsh ksh fish elvish iproute2 nftables
fi

# Two OS users for the several-users test (tests/lxd/projects_test.ts): in the daemons' group (the
# test bed starts them with --group root), and root may map their ids into containers (raw.idmap
# needs /etc/subuid and /etc/subgid entries, read when the daemon starts).
test_users() {
  local u uid added=0
  for u in codchi-ta codchi-tb; do
    id "$u" >/dev/null 2>&1 || useradd -M -N -G root -d /nonexistent -s /bin/sh "$u"
    uid=$(id -u "$u")
    grep -qx "root:$uid:1" /etc/subuid || { echo "root:$uid:1" >>/etc/subuid; added=1; }
  done
  grep -qx "root:100:1" /etc/subgid || { echo "root:100:1" >>/etc/subgid; added=1; }
  if [ $added = 1 ] && { pgrep -x lxd >/dev/null || pgrep -f incusd >/dev/null; }; then
    log "new /etc/subuid entries: restart LXD/Incus for the several-users test"
  fi
}
if [ $test_deps = 1 ] && [ $root = 1 ]; then test_users; fi

cd "$REPO"
deno install --quiet --frozen --config deno.json --entrypoint main.ts >/dev/null
if [ $root = 1 ]; then
  deno install -g -A -f -q --root /usr/local --config deno.json -n codchi main.ts
  bin=/usr/local/bin/codchi
else
  deno install -g -A -f -q --config deno.json -n codchi main.ts
  bin="$HOME/.deno/bin/codchi"
  case ":$PATH:" in *":$HOME/.deno/bin:"*) ;; *) log "add ~/.deno/bin to your PATH" ;; esac
fi
log "installed $bin ($("$bin" --version))"

if [ $lxd = 1 ]; then
  if [ $root = 1 ]; then bash "$REPO/scripts/lxd-up.sh"; else log "run as root to set up LXD (or --no-lxd)"; fi
fi
"$bin" doctor || log "codchi doctor found something to fix (above)."
