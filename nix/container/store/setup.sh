#!/bin/sh
# codchi store: prepares /nix, the network (LXD), the CA bundle and (on WSL) the share of /nix with
# the machines. Runs once per start, before the nix daemon (inittab on LXD, boot-wsl.sh on WSL).
# The files the host hands in are named by /etc/codchi/contract.sh (written from nix/contract.json);
# without it (an image that lacks it) they are skipped.
export PATH=/bin:/sbin
log() { echo "codchi-store: $*" >&2; }
if [ -r /etc/codchi/contract.sh ]; then
  # shellcheck disable=SC1091
  . /etc/codchi/contract.sh
else
  log "/etc/codchi/contract.sh is missing: the host's CA bundle and proxy are not used"
fi

mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys 2>/dev/null
mkdir -p /dev/pts /run /tmp
chmod 1777 /tmp

# /nix is empty on the very first start.
mkdir -p /nix/store /nix/var/nix/db /nix/var/nix/daemon-socket /nix/var/nix/gcroots \
  /nix/var/nix/profiles/per-user/root /nix/var/nix/temproots /nix/var/log/nix
chmod 1775 /nix/store
chgrp nixbld /nix/store

# The network. WSL configures it and writes resolv.conf itself; on LXD the store asks the
# container's network (when its profile gives it one) for an address and name servers.
if [ ! -d /mnt/wsl ] && [ -e /sys/class/net/eth0 ]; then
  ip link set lo up
  ip link set eth0 up
  udhcpc -i eth0 -s /etc/codchi/udhcpc.sh -b -S -t 3 -T 2 -A 10 >/dev/null 2>&1 ||
    log "no DHCP lease yet on eth0 (udhcpc keeps trying)"
fi

# The host's certificate authorities (handed in before each start; empty when the host has none
# or config.json turns them off): trusted by nix and git next to the image's own.
bundle=/etc/ssl/certs/ca-bundle.crt
image_bundle=/etc/codchi/image-ca-bundle.crt
[ -e "$image_bundle" ] || cp "$bundle" "$image_bundle"
if [ -n "${CODCHI_HOST_CA_FILE:-}" ] && [ -s "$CODCHI_HOST_CA_FILE" ]; then
  cat "$image_bundle" "$CODCHI_HOST_CA_FILE" > "$bundle.tmp" && mv -f "$bundle.tmp" "$bundle"
  log "trusting the host's certificate authorities"
else
  cat "$image_bundle" > "$bundle.tmp" && mv -f "$bundle.tmp" "$bundle"
fi

# WSL: every distro sees /mnt/wsl, so the machines bind-mount the store's /nix from there.
if [ -d /mnt/wsl ]; then
  mkdir -p /mnt/wsl/codchi/nix
  mountpoint -q /mnt/wsl/codchi/nix || mount --bind /nix /mnt/wsl/codchi/nix || log "cannot share /nix under /mnt/wsl"
fi
exit 0
