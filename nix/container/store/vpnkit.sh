#!/bin/sh
# codchi store on WSL: wsl-vpnkit (sakai135/wsl-vpnkit) while the host's switch says so
# (config.json `windows.vpnkit`, handed in as the contract's vpnkit switch file).
#   vpnkit.sh boot   at the store's start: drop the state an earlier boot left in /mnt/wsl
#   vpnkit.sh sync   after the host handed its files in: start or stop wsl-vpnkit to match
#   vpnkit.sh run    (internal) the supervisor: runs wsl-vpnkit, publishes the state file while
#                    its tap device is up, starts it again when it exits
# wsl-vpnkit changes the network of WSL's whole VM (every distro shares it): it replaces the
# default route by one through its tap device and redirects DNS for WSL's gateway to gvproxy.
# Image settings (optional, sourced): /etc/codchi/vpnkit.conf with VPNKIT_PROGRAM (the
# wsl-vpnkit program), VPNKIT_REGISTRATION (nix's registration of its closure, loaded into the
# store's nix database before the first run) and VPNKIT_NET_DIR (where its tap device appears).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
me=$0
log() { echo "codchi-vpnkit: $*"; }
[ -r /etc/codchi/contract.sh ] && . /etc/codchi/contract.sh
VPNKIT_PROGRAM=/opt/wsl-vpnkit/bin/wsl-vpnkit
VPNKIT_REGISTRATION=
VPNKIT_NET_DIR=/sys/class/net
[ -r /etc/codchi/vpnkit.conf ] && . /etc/codchi/vpnkit.conf
switch=${CODCHI_VPNKIT_SWITCH:?the contract names no vpnkit switch file}
state=${CODCHI_VPNKIT_STATE:?the contract names no vpnkit state file}
tap=${CODCHI_VPNKIT_TAP:-wsltap}
gateway=${CODCHI_VPNKIT_GATEWAY:-}
pidf=/run/codchi-vpnkit.pid
logf=/nix/var/log/nix/codchi-vpnkit.log

wanted() { [ -r "$switch" ] && grep -qx 'CODCHI_VPNKIT=1' "$switch"; }
running() { [ -s "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; }
unpublish() { rm -f "$state"; }
publish() {
  mkdir -p "$(dirname "$state")" &&
    printf 'CODCHI_VPNKIT_DNS=%s\nCODCHI_VPNKIT_TAP=%s\n' "$gateway" "$tap" >"$state.tmp" &&
    mv -f "$state.tmp" "$state"
}

# Its closure is part of the image's /nix/store but not yet known to the store's nix database
# (and so not safe from garbage collection) until it is registered and rooted once.
register() {
  [ -n "$VPNKIT_REGISTRATION" ] && [ -r "$VPNKIT_REGISTRATION" ] || return 0
  root=/nix/var/nix/gcroots/codchi-vpnkit
  [ "$(readlink "$root" 2>/dev/null)" = "$VPNKIT_PROGRAM" ] && return 0
  nix-store --load-db <"$VPNKIT_REGISTRATION" || return 1
  ln -sfn "$VPNKIT_PROGRAM" "$root"
}

supervise() {
  echo $$ >"$pidf"
  child=
  stop() {
    if [ -n "$child" ]; then
      kill -TERM "$child" 2>/dev/null
      wait "$child"
    fi
    unpublish
    rm -f "$pidf"
    log "stopped"
    exit 0
  }
  trap stop TERM INT
  while wanted; do
    log "starting $VPNKIT_PROGRAM"
    # Its own session: wsl-vpnkit ends with `kill 0` (its whole process group).
    setsid "$VPNKIT_PROGRAM" </dev/null &
    child=$!
    published=
    while kill -0 "$child" 2>/dev/null; do
      if [ -z "$published" ] && [ -e "$VPNKIT_NET_DIR/$tap" ]; then
        publish && published=1 && log "$tap is up: published $state"
      fi
      sleep 1
    done
    wait "$child"
    code=$?
    child=
    unpublish
    log "wsl-vpnkit exited ($code); starting it again in 5 s"
    sleep 5
  done
  rm -f "$pidf"
}

case "${1:-}" in
  boot)
    unpublish
    rm -f "$pidf"
    ;;
  sync)
    if wanted; then
      running && exit 0
      if [ ! -x "$VPNKIT_PROGRAM" ]; then
        log "warning: wsl-vpnkit is not in this store image ($VPNKIT_PROGRAM): machines keep WSL's own network"
        exit 0
      fi
      register || { log "cannot register wsl-vpnkit in the store's nix database"; exit 1; }
      mkdir -p "$(dirname "$logf")"
      setsid "$me" run </dev/null >>"$logf" 2>&1 &
      i=0
      while ! running; do
        [ "$i" -ge 50 ] && { log "the supervisor did not start (see $logf)"; exit 1; }
        sleep 0.1
        i=$((i + 1))
      done
      log "started (log: $logf)"
    else
      running || { unpublish; exit 0; }
      kill -TERM "$(cat "$pidf")"
      i=0
      while running; do
        [ "$i" -ge 150 ] && { log "wsl-vpnkit did not stop within 15 s"; exit 1; }
        sleep 0.1
        i=$((i + 1))
      done
      unpublish
      log "stopped"
    fi
    ;;
  run) supervise ;;
  *)
    echo "usage: vpnkit.sh boot|sync|run" >&2
    exit 2
    ;;
esac
