#!/usr/bin/env bash
# Makes LXD usable for codchi on a Debian/Ubuntu host, safely: installs Debian's lxd when missing,
# starts the daemon (systemd when it runs, else by hand), and initialises an uninitialised LXD with
# a preseed that creates NO network (a dir storage pool and a default profile with a root disk).
# Never `lxd init --auto`: it probes random private addresses. Idempotent. Needs root.
#   sudo bash scripts/lxd-up.sh
set -euo pipefail
LOGDIR=${LXD_LOGDIR:-/var/log/codchi-lxd}
LXD_WAIT=${LXD_WAIT:-120}
log() { printf '[lxd-up] %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}
[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts LXD)"

if ! command -v lxd >/dev/null || ! command -v lxc >/dev/null; then
  log "installing lxd"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends lxd lxd-client >/dev/null
fi

if ! lxd waitready --timeout 1 2>/dev/null; then
  if [ -d /run/systemd/system ] && systemctl start lxd 2>/dev/null; then
    log "started lxd with systemd"
  else
    mkdir -p "$LOGDIR"
    log "starting lxd by hand (log: $LOGDIR/lxd.log)"
    setsid nohup lxd --group root --logfile "$LOGDIR/lxd.log" >>"$LOGDIR/lxd.out" 2>&1 </dev/null &
  fi
  lxd waitready --timeout "$LXD_WAIT" || die "lxd did not get ready in ${LXD_WAIT}s; see $LOGDIR/lxd.log"
fi

if ! lxc -q storage show default >/dev/null 2>&1 || ! lxc -q profile device show default |
  grep -q 'pool: default'; then
  log "initialising lxd: dir storage pool, default profile with a root disk only, no network"
  lxd init --preseed <<'PRESEED'
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
