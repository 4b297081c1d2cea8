#!/usr/bin/env bash
# Builds the two tiny rootfs tarballs the WSL driver is tested with (from Debian's busybox-static),
# cached under .testbed/wsl/. They stand in for codchi's NixOS store and machine images:
#   store.tar.gz   - a fake nix-daemon socket at /nix/var/nix/daemon-socket/socket, made at boot
#   machine.tar.gz - user codchi (uid 1000), a `machinectl shell` stand-in
# Prints the two paths. Re-run with --force to rebuild. `--nix` (`--nix-force`) builds the
# "nix" flavour instead, from the LXD test bed's Debian images: see wsl_test_images_nix.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/.testbed/wsl"
# A stand-in for systemd's `machinectl shell` (no systemd runs in the simulator).
machinectl_standin() {
  cat <<'EOF'
#!/bin/sh
# Test stand-in for systemd's `machinectl shell [-q] [--setenv=N=V…] USER@ [CMD ARGS…]`: runs
# argv as USER in a fresh environment (TERM, the --setenv variables and su's HOME/USER/SHELL).
[ "$1" = shell ] || { echo "machinectl (test stand-in): only 'shell' is supported" >&2; exit 1; }
shift
n=0
while [ $# -gt 0 ]; do
  case $1 in
    -q) shift ;;
    --setenv=*) n=$((n + 1)); eval "v$n=\${1#--setenv=}"; shift ;;
    *) break ;;
  esac
done
user=${1%@}
shift
[ -n "$user" ] || user=root
[ $# -gt 0 ] || set -- /bin/sh -l
set -- su -s /bin/sh -c 'cd "$HOME" 2>/dev/null; exec "$0" "$@"' -- "$user" "$@"
while [ "$n" -gt 0 ]; do eval "set -- \"\$v$n\" \"\$@\""; n=$((n - 1)); done
exec env -i PATH=/usr/local/bin:/usr/bin:/bin TERM="${TERM:-dumb}" "$@"
EOF
}

if [ "${1:-}" = --nix ] || [ "${1:-}" = --nix-force ]; then
  mkdir -p "$out"
  # shellcheck source=scripts/wsl_test_images_nix.sh
  . "$top/scripts/wsl_test_images_nix.sh"
  mc=$(mktemp)
  machinectl_standin >"$mc"
  rc=0
  nix_images "$out" "$top" "$([ "$1" = --nix-force ] && echo 1 || echo 0)" "$mc" || rc=$?
  rm -f "$mc"
  exit "$rc"
fi
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "busybox is missing: apt-get install busybox-static" >&2; exit 9; }
if ! file -L "$busybox" 2>/dev/null | grep -q static && ! ldd "$busybox" 2>&1 | grep -q "not a dynamic"; then
  echo "$busybox is not statically linked: apt-get install busybox-static" >&2
  exit 9
fi
if [ "${1:-}" != "--force" ] && [ -s "$out/store.tar.gz" ] && [ -s "$out/machine.tar.gz" ]; then
  echo "$out/store.tar.gz"
  echo "$out/machine.tar.gz"
  exit 0
fi
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

base() { # base DIR: busybox and its applets, users, an empty wsl.conf
  local r=$1
  mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,proc,dev,run,mnt/wsl,var/log}
  chmod 1777 "$r/tmp"
  cp "$busybox" "$r/bin/busybox"
  for a in $("$busybox" --list); do
    [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\ncodchi:x:1000:100:codchi:/home/codchi:/bin/sh\n' >"$r/etc/passwd"
  printf 'root:x:0:\nusers:x:100:codchi\nwheel:x:1:codchi\n' >"$r/etc/group"
  printf '[ -r /etc/codchi-env ] && . /etc/codchi-env\n' >"$r/etc/profile"
}

# The store: "nix-daemon" is busybox syslogd, whose socket stands in for the daemon's.
s="$work/store"
base "$s"
mkdir -p "$s/nix/store" "$s/nix/var/nix/daemon-socket" "$s/nix/var/nix/db"
ln -s /dev/log "$s/nix/var/nix/daemon-socket/socket"
cat >"$s/etc/codchi-store-boot" <<'EOF'
#!/bin/sh
# Test stand-in for the store's boot: the daemon comes up a moment after boot.
sleep 0.3
exec syslogd -n -O /dev/null
EOF
chmod 755 "$s/etc/codchi-store-boot"
printf '[boot]\ncommand=/etc/codchi-store-boot\n' >"$s/etc/wsl.conf"
echo codchistore >"$s/etc/hostname"

# The machine: a home for codchi and a stand-in for `machinectl shell -q user@ cmd…`.
m="$work/machine"
base "$m"
mkdir -p "$m/home/codchi"
chown 1000:100 "$m/home/codchi"
machinectl_standin >"$m/usr/bin/machinectl"
chmod 755 "$m/usr/bin/machinectl"
cat >"$m/etc/codchi-machine-boot" <<'EOF'
#!/bin/sh
# Test stand-in for the machine's boot: marks the boot in /run (gone when the distro stops).
: >/run/codchi-booted
EOF
chmod 755 "$m/etc/codchi-machine-boot"
printf '[boot]\ncommand=/etc/codchi-machine-boot\n' >"$m/etc/wsl.conf"

tar --numeric-owner -czf "$out/store.tar.gz.tmp" -C "$s" . && mv "$out/store.tar.gz.tmp" "$out/store.tar.gz"
tar --numeric-owner -czf "$out/machine.tar.gz.tmp" -C "$m" . && mv "$out/machine.tar.gz.tmp" "$out/machine.tar.gz"
echo "$out/store.tar.gz"
echo "$out/machine.tar.gz"
