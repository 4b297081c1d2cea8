#!/usr/bin/env bash
# Builds the tiny rootfs tarballs the WSL driver is tested with (from Debian's busybox-static),
# cached under .testbed/wsl/bb-<key>/ (key: this script and the machine's init.sh). They stand in
# for codchi's NixOS store and machine images:
#   store.tar.gz        - a fake nix-daemon socket at /nix/var/nix/daemon-socket/socket, made at
#                         boot, and the store's /nix shared under /mnt/wsl/codchi/nix
#   machine.tar.gz      - the machine user of nix/contract.json, a `machinectl shell` stand-in, the real
#                         image's busybox at /usr/lib/codchi/busybox (+ applets in ../bin), the
#                         WSL module's Windows-PATH code in /etc/profile, appendWindowsPath off
#   machine-real.tar.gz - the real machine image's layout (nix/container/machine/default.nix):
#                         no /bin, busybox at /usr/lib/codchi, the real init.sh as /sbin/init,
#                         the real wsl.conf (systemd=true), root only
# Prints the three paths. Re-run with --force to rebuild. `--nix` (`--nix-force`) builds the
# "nix" flavour instead, from the LXD test bed's Debian images: see wsl_test_images_nix.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/.testbed/wsl"
# contract_sh FILE: the machine contract (nix/contract.json) as the real image carries it
# (/usr/lib/codchi/contract.sh, contract.nix's shellVars), for the fakes below to be made with.
contract_sh() {
  nix-instantiate --option substituters '' --eval --strict --json \
    -E "(import $top/nix/contract.nix).shellVars" | sed -e 's/^"//' -e 's/"$//' -e 's/\\n/\n/g' \
    >"$1"
  grep -q '^CODCHI_UID=' "$1" || { echo "wsl_test_images: no contract" >&2; exit 1; }
}

# A stand-in for systemd's `machinectl shell` (pty, exit code 0): scripts/wsl_machinectl_standin.sh.
machinectl_standin() {
  cat "$top/scripts/wsl_machinectl_standin.sh"
}

if [ "${1:-}" = --nix ] || [ "${1:-}" = --nix-force ]; then
  mkdir -p "$out"
  # shellcheck source=scripts/wsl_test_images_nix.sh
  . "$top/scripts/wsl_test_images_nix.sh"
  mc=$(mktemp)
  machinectl_standin >"$mc"
  cs=$(mktemp)
  contract_sh "$cs"
  rc=0
  BUSYBOX=$(command -v busybox || true) CONTRACT_SH=$cs \
    nix_images "$out" "$top" "$([ "$1" = --nix-force ] && echo 1 || echo 0)" "$mc" || rc=$?
  rm -f "$mc" "$cs"
  exit "$rc"
fi
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "busybox is missing: apt-get install busybox-static" >&2; exit 9; }
if ! file -L "$busybox" 2>/dev/null | grep -q static && ! ldd "$busybox" 2>&1 | grep -q "not a dynamic"; then
  echo "$busybox is not statically linked: apt-get install busybox-static" >&2
  exit 9
fi
key=$(cat "$0" "$top/scripts/wsl_machinectl_standin.sh" "$top/nix/container/machine/init.sh" \
  "$top/nix/container/machine/netns.sh" \
  "$top/nix/nixos/driver/wsl/windows_path.sh" \
  "$top/nix/container/machine/default.nix" "$top/nix/contract.json" "$top/nix/contract.nix" |
  sha256sum | cut -c1-12)
out="$out/bb-$key"
mkdir -p "$(dirname "$out")"
exec 8>"$out.lock" # one builder per key at a time
flock 8
if [ "${1:-}" != "--force" ] && [ -s "$out/store.tar.gz" ] && [ -s "$out/machine.tar.gz" ] &&
  [ -s "$out/machine-real.tar.gz" ]; then
  echo "$out/store.tar.gz"
  echo "$out/machine.tar.gz"
  echo "$out/machine-real.tar.gz"
  exit 0
fi
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
contract_sh "$work/contract.sh"
# shellcheck source=/dev/null
. "$work/contract.sh"


base() { # base DIR: busybox and its applets, users, an empty wsl.conf
  local r=$1
  mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,proc,dev,run,mnt/wsl,var/log}
  chmod 1777 "$r/tmp"
  cp "$busybox" "$r/bin/busybox"
  for a in $("$busybox" --list); do
    [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n%s:x:%s:%s:%s:%s:/bin/sh\n' \
    "$CODCHI_USER" "$CODCHI_UID" "$CODCHI_GID" "$CODCHI_USER" "$CODCHI_HOME" >"$r/etc/passwd"
  printf 'root:x:0:\nusers:x:%s:%s\nwheel:x:1:%s\n' "$CODCHI_GID" "$CODCHI_USER" "$CODCHI_USER" \
    >"$r/etc/group"
  printf '[ -r /etc/codchi-env ] && . /etc/codchi-env\n' >"$r/etc/profile"
}

codchi_busybox() { # codchi_busybox DIR: the machine image's busybox and applet links
  mkdir -p "$1/usr/lib/codchi/bin"
  cp "$busybox" "$1/usr/lib/codchi/busybox"
  for a in $("$busybox" --list); do ln -sf ../busybox "$1/usr/lib/codchi/bin/$a"; done
}

# The store: "nix-daemon" is busybox syslogd, whose socket stands in for the daemon's.
s="$work/store"
base "$s"
mkdir -p "$s/nix/store" "$s/nix/var/nix/daemon-socket" "$s/nix/var/nix/db"
ln -s /dev/log "$s/nix/var/nix/daemon-socket/socket"
cat >"$s/etc/codchi-store-boot" <<'EOF'
#!/bin/sh
# Test stand-in for the store's boot: /nix shared with the machines, as boot_wsl.sh's setup does,
# and the daemon comes up a moment after boot.
mkdir -p /mnt/wsl/codchi/nix/store /mnt/wsl/codchi/nix/var/nix/db /mnt/wsl/codchi/nix/var/nix/daemon-socket
sleep 0.3
exec syslogd -n -O /dev/null
EOF
chmod 755 "$s/etc/codchi-store-boot"
printf '[boot]\ncommand=/etc/codchi-store-boot\n' >"$s/etc/wsl.conf"
echo codchistore >"$s/etc/hostname"

# The machine: a home for codchi and a stand-in for `machinectl shell -q user@ cmd…`.
m="$work/machine"
base "$m"
mkdir -p "$m$CODCHI_HOME"
chown "$CODCHI_UID:$CODCHI_GID" "$m$CODCHI_HOME"
codchi_busybox "$m"
machinectl_standin >"$m/usr/bin/machinectl"
# util-linux `script` for the stand-in's terminal (it needs only the C library).
mkdir -p "$m/lib/x86_64-linux-gnu" "$m/lib64"
cp /usr/bin/script "$m/usr/bin/script"
cp -L /lib/x86_64-linux-gnu/libc.so.6 "$m/lib/x86_64-linux-gnu/"
cp -L /lib64/ld-linux-x86-64.so.2 "$m/lib64/"
chmod 755 "$m/usr/bin/machinectl"
cat >"$m/etc/codchi-machine-boot" <<'EOF'
#!/bin/sh
# Test stand-in for the machine's boot: marks the boot in /run (gone when the distro stops).
: >/run/codchi-booted
EOF
chmod 755 "$m/etc/codchi-machine-boot"
# The NixOS module's login-shell code for the host's Windows PATH (after the env file), and
# WSL's own appending off, as in the real wsl.conf.
sed "s/@windowsPathVar@/$CODCHI_WINDOWS_PATH_VAR/g" "$top/nix/nixos/driver/wsl/windows_path.sh" \
  >>"$m/etc/profile"
printf '[boot]\ncommand=/etc/codchi-machine-boot\n[interop]\nappendWindowsPath = false\n' \
  >"$m/etc/wsl.conf"

# The real machine image's layout, with its own init.sh, netns.sh and wsl.conf (from default.nix).
r="$work/machine-real"
mkdir -p "$r"/{sbin,etc,tmp,root,run,var/log/codchi,proc,sys,dev,mnt/wsl} "$r$CODCHI_HOME" \
  "$r"/nix/{store,var/nix/db,var/nix/daemon-socket,var/nix/profiles}
codchi_busybox "$r"
cp "$work/contract.sh" "$r/usr/lib/codchi/contract.sh"
install -m 0755 "$top/nix/container/machine/init.sh" "$r/sbin/init"
install -m 0644 "$top/nix/container/machine/netns.sh" "$r/usr/lib/codchi/netns.sh"
sed -n '/wslConf = pkgs.writeText "wsl.conf"/,/^  '"''"';/p' "$top/nix/container/machine/default.nix" |
  sed '1d;$d' | sed 's/^    //' >"$r/etc/wsl.conf"
grep -q '^systemd = true' "$r/etc/wsl.conf" || { echo "wsl_test_images: no wsl.conf in default.nix" >&2; exit 1; }
printf 'root:x:0:0:root:/root:/usr/lib/codchi/bin/sh\n' >"$r/etc/passwd"
printf 'root:x:0:\n' >"$r/etc/group"
[ ! -e "$r/bin" ] || { echo "wsl_test_images: the real layout has no /bin" >&2; exit 1; }

tar --numeric-owner -czf "$out/machine-real.tar.gz.tmp" -C "$r" . && mv "$out/machine-real.tar.gz.tmp" "$out/machine-real.tar.gz"
tar --numeric-owner -czf "$out/store.tar.gz.tmp" -C "$s" . && mv "$out/store.tar.gz.tmp" "$out/store.tar.gz"
tar --numeric-owner -czf "$out/machine.tar.gz.tmp" -C "$m" . && mv "$out/machine.tar.gz.tmp" "$out/machine.tar.gz"
echo "$out/store.tar.gz"
echo "$out/machine.tar.gz"
echo "$out/machine-real.tar.gz"
