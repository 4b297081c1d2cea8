#!/usr/bin/env bash
# Runs the remote-server suite (tests/remote/): a daemon is exposed on a loopback address ONLY,
# added to a throw-away client config as a remote, and codchi runs its machines through it.
#   bash scripts/test-remote.sh [--lxd | --incus | --incus-cluster] [deno test arguments]
# LXD (default): the local LXD on 127.0.0.1:8443, holding /tmp/codchi-lxd.lock
# (CODCHI_LXD_LOCK overrides).
# --incus: the local Incus (started by scripts/lxd-up.sh --incus, needs root) on 127.0.0.1:8444,
# holding /tmp/codchi-incus.lock (CODCHI_INCUS_LOCK) like scripts/test-incus.sh.
# --incus-cluster: a throw-away Incus daemon of its own (INCUS_DIR in a temp folder, so the shared
# daemons are not touched), made a one-member cluster on 127.0.0.1:8446 by a network-free preseed,
# holding /tmp/codchi-incus-cluster.lock; shut down and removed when the run ends.
# With Incus the CLI gets CODCHI_DRIVER=incus. core.https_address of a shared daemon is put back
# as it was when the run ends, however it ends.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
mode=lxd
case "${1:-}" in
  --lxd) shift ;;
  --incus) mode=incus; shift ;;
  --incus-cluster) mode=cluster; shift ;;
esac
case $mode in
  lxd)
    client=lxc
    ADDR=127.0.0.1:8443
    LOCK=${CODCHI_LXD_LOCK:-/tmp/codchi-lxd.lock}
    HELD=CODCHI_LXD_LOCK_HELD
    ;;
  incus)
    client=incus
    ADDR=127.0.0.1:8444
    LOCK=${CODCHI_INCUS_LOCK:-/tmp/codchi-incus.lock}
    HELD=CODCHI_INCUS_LOCK_HELD
    ;;
  cluster)
    client=incus
    ADDR=127.0.0.1:8446
    LOCK=/tmp/codchi-incus-cluster.lock
    HELD=CODCHI_INCUS_CLUSTER_LOCK_HELD
    ;;
esac
if [ -z "${!HELD:-}" ]; then
  if [ $mode != lxd ]; then
    [ "$(id -u)" = 0 ] || { echo "test-remote: Incus needs root (starts incusd)" >&2; exit 9; }
    # The test images are built under the LXD lock (as scripts/test-incus.sh does).
    flock "${CODCHI_LXD_LOCK:-/tmp/codchi-lxd.lock}" bash "$REPO/scripts/lxd-testbed.sh"
    # Installs Incus when missing (and starts the shared daemon, as test-incus.sh does).
    bash "$REPO/scripts/lxd-up.sh" --incus
  fi
  echo "test-remote: waiting for $LOCK" >&2
  flag=--$mode
  [ $mode = cluster ] && flag=--incus-cluster
  exec env "$HELD=1" flock "$LOCK" bash "$0" "$flag" "$@"
fi
cd "$REPO"
if [ $mode = lxd ]; then
  bash scripts/lxd-testbed.sh
fi
# shellcheck disable=SC1091
source .testbed.env
if [ $mode != lxd ]; then
  # Links of this run's images: a later test-bed build may replace the shared cache.
  mkdir -p .testbed/incus
  ln -f "$CODCHI_LXD_STORE_IMAGE" .testbed/incus/store.tar
  ln -f "$CODCHI_LXD_MACHINE_IMAGE" .testbed/incus/machine.tar
  CODCHI_LXD_STORE_IMAGE=$PWD/.testbed/incus/store.tar
  CODCHI_LXD_MACHINE_IMAGE=$PWD/.testbed/incus/machine.tar
  export CODCHI_LXD_STORE_IMAGE CODCHI_LXD_MACHINE_IMAGE
  export CODCHI_TEST_ENGINE=incus
fi

if [ $mode = cluster ]; then
  D=$(mktemp -d /tmp/codchi-incus-cluster.XXXXXX)
  # Traversable, as /var/lib/incus is: the containers' mapped root walks down to its rootfs.
  chmod 0711 "$D"
  export INCUS_DIR=$D/var
  mkdir -p "$INCUS_DIR"
  pid=
  stop_cluster() {
    if [ -n "$pid" ]; then
      timeout 60 incus admin shutdown --timeout 30 >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    # The daemon's own tmpfs mounts (and any left by an instance) go before the folder.
    awk -v d="$D/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$D"
  }
  trap stop_cluster EXIT
  setsid /usr/libexec/incus/incusd --group root --logfile "$D/incusd.log" \
    >>"$D/incusd.out" 2>&1 </dev/null &
  pid=$!
  incus admin waitready --timeout 120
  # Loopback only; no network, a dir pool, a root disk: as scripts/lxd-up.sh, plus clustering.
  incus admin init --preseed <<PRESEED
config:
  core.https_address: $ADDR
  cluster.https_address: $ADDR
cluster:
  server_name: codchi-member-1
  enabled: true
networks: []
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root:
      path: /
      pool: default
      type: disk
PRESEED
  incus cluster list --format csv | grep -q "^codchi-member-1,https://$ADDR," || {
    echo "test-remote: the one-member cluster is not up" >&2
    exit 1
  }
  export CODCHI_TEST_REMOTE_CLUSTER=codchi-member-1
  CODCHI_TEST_REMOTE_ADDR=$ADDR deno test -A "$@" tests/remote/
  exit
fi

before=$($client config get core.https_address)
restore() {
  if [ -n "$before" ]; then
    $client config set core.https_address "$before"
  else
    $client config unset core.https_address
  fi
}
trap restore EXIT
# Loopback only: never any other address.
$client config set core.https_address "$ADDR"
[ "$($client config get core.https_address)" = "$ADDR" ] || {
  echo "test-remote: core.https_address is not $ADDR" >&2
  exit 1
}
CODCHI_TEST_REMOTE_ADDR=$ADDR deno test -A "$@" tests/remote/
