#!/usr/bin/env bash
# Makes LXD (or, with --incus, Incus) usable for codchi on a Debian/Ubuntu host, safely: installs
# the Debian package when missing (Incus on Debian 12 from bookworm-backports, the same archive),
# starts the daemon (systemd when it runs, else by hand), and initialises an uninitialised daemon
# with a preseed that creates NO network (a dir storage pool and a default profile with a root
# disk). Never `lxd init --auto` / `incus admin init --auto`: they probe random private addresses.
# No public image remote is added and no image is pulled. Idempotent. Needs root.
#   bash scripts/lxd-up.sh [--incus]
set -euo pipefail
engine=lxd
[ "${1:-}" = --incus ] && engine=incus
if [ $engine = incus ]; then
  LOGDIR=${INCUS_LOGDIR:-/var/log/codchi-incus}
  client=incus
  daemon=(/usr/libexec/incus/incusd)
  admin=(incus admin)
else
  LOGDIR=${LXD_LOGDIR:-/var/log/codchi-lxd}
  client=lxc
  daemon=(lxd)
  admin=(lxd)
fi
LXD_WAIT=${LXD_WAIT:-120}
log() { printf '[%s-up] %s\n' "$engine" "$*" >&2; }
die() {
  log "$*"
  exit 1
}
[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts $engine)"

install_incus() {
  export DEBIAN_FRONTEND=noninteractive
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  if [ "$codename" = bookworm ]; then
    # Debian 12 has Incus only in bookworm-backports (the same archive as the release itself).
    log "adding bookworm-backports (Debian's own archive) for incus"
    uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    cat >/etc/apt/sources.list.d/codchi-bookworm-backports.sources <<SRC
Types: deb
URIs: ${uri:-http://deb.debian.org/debian}
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends -t bookworm-backports incus >/dev/null
  else
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends incus >/dev/null
  fi
}

if [ $engine = incus ]; then
  if [ ! -x "${daemon[0]}" ] || ! command -v incus >/dev/null; then
    log "installing incus"
    install_incus
  fi
elif ! command -v lxd >/dev/null || ! command -v lxc >/dev/null; then
  log "installing lxd"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends lxd lxd-client >/dev/null
fi

if ! "${admin[@]}" waitready --timeout 1 2>/dev/null; then
  if [ -d /run/systemd/system ] && systemctl start $engine 2>/dev/null; then
    log "started $engine with systemd"
  else
    mkdir -p "$LOGDIR"
    log "starting $engine by hand (log: $LOGDIR/$engine.log)"
    setsid nohup "${daemon[@]}" --group root --logfile "$LOGDIR/$engine.log" \
      >>"$LOGDIR/$engine.out" 2>&1 </dev/null &
  fi
  "${admin[@]}" waitready --timeout "$LXD_WAIT" ||
    die "$engine did not get ready in ${LXD_WAIT}s; see $LOGDIR/$engine.log"
fi

if ! $client -q storage show default >/dev/null 2>&1 || ! $client -q profile device show default |
  grep -q 'pool: default'; then
  log "initialising $engine: dir storage pool, default profile with a root disk only, no network"
  "${admin[@]}" init --preseed <<'PRESEED'
config: {}
networks: []
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  description: codchi (no network device on purpose; codchi machines need none)
  devices:
    root:
      path: /
      pool: default
      type: disk
PRESEED
fi
