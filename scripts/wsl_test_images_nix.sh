# Sourced by scripts/wsl_test_images.sh (`--nix`): the "nix" flavour of the WSL test images.
#
# The LXD test bed's Debian images (scripts/lxd-testbed.sh: .testbed/lxd/images-*/{store,machine}.tar,
# LXD format) become plain rootfs tarballs, cached under .testbed/wsl/nix-<key>/ (key: both
# scripts and the source images). The store runs Debian's nix-daemon, started by the wsl.conf
# boot command with codchi's own nix/container/store/{setup,daemon,boot_wsl}.sh (so it shares
# /nix under /mnt/wsl/codchi/nix as the real store does). The machine's boot stands in for
# nix/container/machine/init.sh (env file, the store's /nix, the profiles folder, the home share,
# activation). No systemd runs as PID 1 in the simulator: `systemctl is-system-running` and
# `machinectl shell` are stand-ins in /usr/local/bin.

# The machine's boot command (a stand-in for nix/container/machine/init.sh's WSL part).
nix_machine_boot() {
  cat <<'EOF'
#!/bin/sh
# Test stand-in for nix/container/machine/init.sh on WSL (no systemd as PID 1 here): waits for the
# env file, mounts the store's /nix (shared under /mnt/wsl/codchi/nix), the profiles folder
# (CODCHI_PROFILES_DIR from the env file) and shares the home with the store, activates the
# system, then marks the boot done (/run/codchi-booted, read by the systemctl stand-in).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
. /usr/lib/codchi/contract.sh # the machine contract, as the real image carries it
env_file=$CODCHI_ENV_FILE
shared=/mnt/wsl/codchi
log() { echo "codchi-init: $*" >>/run/codchi-init.log; }
wait_for() { # wait_for <tenths of a second> <test args…>
  n=0
  limit=$1
  shift
  while ! test "$@"; do
    [ "$n" -ge "$limit" ] && return 1
    sleep 0.1
    n=$((n + 1))
  done
}
env_value() { # as init.sh: NAME='value' lines
  sed -n -e "s/^$1='\(.*\)'\$/\1/p" "$env_file" | head -n 1 | sed "s/'\"'\"'/'/g"
}
bind() { # bind <from> <to>: a fresh bind (a stale one from an earlier boot is replaced)
  mkdir -p "$2"
  umount -l "$2" 2>/dev/null
  mount --bind "$1" "$2" || log "cannot mount $1 on $2"
}
wait_for 300 -e "$env_file" || { log "no env file after 30 s"; : >"$env_file"; }
if ! wait_for 300 -d "$shared/nix/store"; then
  log "the store does not share /nix at $shared/nix (is codchistore running?)"
  exit 1
fi
bind "$shared$CODCHI_NIX_STORE" "$CODCHI_NIX_STORE"
bind "$shared$CODCHI_NIX_DB" "$CODCHI_NIX_DB"
bind "$shared$CODCHI_NIX_DAEMON_SOCKET_DIR" "$CODCHI_NIX_DAEMON_SOCKET_DIR"
name=$(env_value CODCHI_MACHINE_NAME)
profiles=$(env_value CODCHI_PROFILES_DIR)
[ -n "$profiles" ] || profiles="$shared$CODCHI_NIX_PROFILES_DIR/codchi/$name"
mkdir -p "$profiles"
bind "$profiles" "$CODCHI_NIX_PROFILES_DIR"
[ -z "$name" ] || bind "$CODCHI_HOME" "$shared/machines/$name/home"
if [ -x "$CODCHI_SYSTEM_PROFILE/activate" ]; then
  "$CODCHI_SYSTEM_PROFILE/activate" >>/run/codchi-init.log 2>&1 || log "activation failed"
fi
: >/run/codchi-booted
EOF
}

# `systemctl is-system-running` as the machine probe reads it.
nix_systemctl() {
  cat <<'EOF'
#!/bin/sh
# Test stand-in (no systemd as PID 1 in the simulator): "running" once the boot finished.
case "$1" in
  is-system-running)
    if [ -e /run/codchi-booted ]; then echo running; exit 0; fi
    echo starting
    exit 1 ;;
  *) echo "systemctl (test stand-in): $1 is not supported" >&2; exit 1 ;;
esac
EOF
}

# A stand-in for sakai135/wsl-vpnkit in the store (nix/container/store/vpnkit.sh runs it). The
# simulator's distros share the test host's network, so it makes no tap device and touches no
# route: its tap is a folder under /run (vpnkit.conf's VPNKIT_NET_DIR). Its lifecycle is the real
# script's: refuses non-root, runs in the foreground, on TERM/INT cleans up ("cleaning up...",
# "stopped wsl-vpnkit") and ends its whole process group (`kill 0`).
nix_vpnkit_standin() {
  cat <<'EOF'
#!/bin/sh
# Test stand-in for wsl-vpnkit (see scripts/wsl_test_images_nix.sh). No network changes.
net=/run/codchi-standin-net
[ "$(id -u)" -eq 0 ] || { echo "Please run this script as root"; exit 1; }
close() {
  echo "cleaning up..."
  rmdir "$net/wsltap" 2>/dev/null
  echo "stopped wsl-vpnkit"
  kill 0
}
trap close EXIT
trap exit INT TERM
echo "starting vm and gvproxy..."
mkdir -p "$net/wsltap"
echo "started vm and gvproxy"
echo "$$" >/run/codchi-standin-vpnkit.pid
sleep 2147483647 &
wait $!
EOF
}

# nix_images OUT TOP FORCE MACHINECTL_FILE: prints the two tarballs' paths.
nix_images() {
  local out=$1 top=$2 force=$3 machinectl=$4 src key dir s m zip
  [ -n "$out" ] && [ -d "$out" ] || { echo "nix_images: bad output folder" >&2; return 9; }
  src=$(for d in $(ls -td "$top"/.testbed/lxd/images-*/ 2>/dev/null); do
    if [ -s "$d/store.tar" ] && [ -s "$d/machine.tar" ]; then echo "${d%/}"; break; fi
  done)
  if [ -z "$src" ]; then
    echo "wsl_test_images: no LXD test bed images; run scripts/lxd-testbed.sh (as root) first" >&2
    return 9
  fi
  key=$( (
    cat "$top/scripts/wsl_test_images.sh" "$top/scripts/wsl_test_images_nix.sh"
    cat "$top/scripts/wsl_machinectl_standin.sh" "$top/nix/contract.json" "$top/nix/contract.nix"
    cat "$top"/nix/container/store/{setup,daemon,boot_wsl,vpnkit}.sh
    echo "$src"
    stat -c '%s %Y' "$src/store.tar" "$src/machine.tar"
  ) | sha256sum | cut -c1-12)
  dir="$out/nix-$key"
  # One builder per key at a time (the test runs ask for the images concurrently).
  exec 8>"$dir.lock"
  flock 8
  if [ "$force" != 1 ] && [ -s "$dir/store.tar.gz" ] && [ -s "$dir/machine.tar.gz" ]; then
    echo "$dir/store.tar.gz"
    echo "$dir/machine.tar.gz"
    return 0
  fi
  # Older flavours (other keys) are removed only when stale: other worktrees share this cache.
  find "$out" -maxdepth 1 -name "nix-*" -mtime +1 -exec rm -rf {} + 2>/dev/null || true
  rm -rf "$dir.tmp"
  s="$dir.tmp/store"
  m="$dir.tmp/machine"
  mkdir -p "$s" "$m"
  tar --numeric-owner -xpf "$src/store.tar" -C "$s" --strip-components=1 rootfs
  tar --numeric-owner -xpf "$src/machine.tar" -C "$m" --strip-components=1 rootfs
  for r in "$s" "$m"; do
    rm -f "$r/etc/systemd/system/multi-user.target.wants/codchi-nix-daemon.service"
    mkdir -p "$r/etc/codchi" "$r/mnt/wsl" "$r/usr/local/bin"
  done

  # The store: codchi's own boot scripts.
  cp "$top/nix/container/store/setup.sh" "$s/etc/codchi/setup.sh"
  cp "$top/nix/container/store/daemon.sh" "$s/etc/codchi/daemon.sh"
  cp "$top/nix/container/store/boot_wsl.sh" "$s/etc/codchi/boot-wsl.sh"
  # The machine contract as the real store image carries it (its scripts source it).
  [ -n "${CONTRACT_SH:-}" ] || { echo "nix_images: no contract.sh" >&2; return 9; }
  cp "$CONTRACT_SH" "$s/etc/codchi/contract.sh"
  # wsl-vpnkit: codchi's own script, with the stand-in program (above) and its tap folder.
  cp "$top/nix/container/store/vpnkit.sh" "$s/etc/codchi/vpnkit.sh"
  nix_vpnkit_standin >"$s/usr/local/bin/wsl-vpnkit"
  printf 'VPNKIT_PROGRAM=/usr/local/bin/wsl-vpnkit\nVPNKIT_NET_DIR=/run/codchi-standin-net\n' \
    >"$s/etc/codchi/vpnkit.conf"
  chmod 755 "$s/etc/codchi/vpnkit.sh" "$s/usr/local/bin/wsl-vpnkit"
  chmod 755 "$s/etc/codchi/setup.sh" "$s/etc/codchi/daemon.sh" "$s/etc/codchi/boot-wsl.sh"
  mkdir -p "$s/etc/ssl/certs" "$s/nix/var/log/nix"
  [ -e "$s/etc/ssl/certs/ca-bundle.crt" ] || : >"$s/etc/ssl/certs/ca-bundle.crt"
  printf '[boot]\ncommand=/etc/codchi/boot-wsl.sh\n\n[user]\ndefault=root\n' >"$s/etc/wsl.conf"
  echo codchistore >"$s/etc/hostname"

  # The machine.
  nix_machine_boot >"$m/etc/codchi/boot-wsl.sh"
  nix_systemctl >"$m/usr/local/bin/systemctl"
  cp "$machinectl" "$m/usr/local/bin/machinectl"
  # The contract as the real image carries it (the boot stand-in reads it).
  [ -n "${CONTRACT_SH:-}" ] || { echo "nix_images: no contract.sh" >&2; return 9; }
  mkdir -p "$m/usr/lib/codchi"
  cp "$CONTRACT_SH" "$m/usr/lib/codchi/contract.sh"
  # The real image's busybox (the driver writes the env file and the start marker with it).
  [ -n "${BUSYBOX:-}" ] || { echo "nix_images: busybox-static is missing" >&2; return 9; }
  mkdir -p "$m/usr/lib/codchi/bin"
  cp "$BUSYBOX" "$m/usr/lib/codchi/busybox"
  for a in $("$BUSYBOX" --list); do ln -sf ../busybox "$m/usr/lib/codchi/bin/$a"; done
  chmod 755 "$m/etc/codchi/boot-wsl.sh" "$m/usr/local/bin/systemctl" "$m/usr/local/bin/machinectl"
  # shellcheck source=/dev/null
  . "$CONTRACT_SH"
  printf '[boot]\ncommand=/etc/codchi/boot-wsl.sh\n\n[user]\ndefault=%s\n' "$CODCHI_USER" >"$m/etc/wsl.conf"

  zip="gzip -1"
  if command -v pigz >/dev/null; then zip="pigz -1"; fi
  tar --numeric-owner -C "$s" -cf - . | $zip >"$dir.tmp/store.tar.gz"
  tar --numeric-owner -C "$m" -cf - . | $zip >"$dir.tmp/machine.tar.gz"
  rm -rf "$s" "$m"
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
  echo "$dir/store.tar.gz"
  echo "$dir/machine.tar.gz"
}
