#!/bin/sh
# codchi store: prepares /nix, the CA bundle and (on WSL) the share of /nix with the machines.
# Runs once per start, before the nix daemon (inittab on LXD, boot-wsl.sh on WSL).
export PATH=/bin:/sbin
log() { echo "codchi-store: $*" >&2; }

mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys 2>/dev/null
mkdir -p /dev/pts /run /tmp
chmod 1777 /tmp

# /nix is empty on the very first start.
mkdir -p /nix/store /nix/var/nix/db /nix/var/nix/daemon-socket /nix/var/nix/gcroots \
  /nix/var/nix/profiles/per-user/root /nix/var/nix/temproots /nix/var/log/nix
chmod 1775 /nix/store
chgrp nixbld /nix/store

# The host's certificate authorities (optional): trusted by nix and git next to the image's.
bundle=/etc/ssl/certs/ca-bundle.crt
if [ -r /etc/codchi/host-ca.pem ]; then
  [ -e /etc/codchi/image-ca-bundle.crt ] || cp "$bundle" /etc/codchi/image-ca-bundle.crt
  cat /etc/codchi/image-ca-bundle.crt /etc/codchi/host-ca.pem > "$bundle.tmp" && mv -f "$bundle.tmp" "$bundle"
  log "trusting the host's certificate authorities"
fi

# WSL: every distro sees /mnt/wsl, so the machines bind-mount the store's /nix from there.
if [ -d /mnt/wsl ]; then
  mkdir -p /mnt/wsl/codchi/nix
  mountpoint -q /mnt/wsl/codchi/nix || mount --bind /nix /mnt/wsl/codchi/nix || log "cannot share /nix under /mnt/wsl"
fi
exit 0
