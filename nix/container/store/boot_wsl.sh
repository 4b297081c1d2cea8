#!/bin/sh
# codchi store on WSL (wsl.conf [boot] command): set up, then keep the nix daemon running.
export PATH=/bin:/sbin
/etc/codchi/setup.sh
# wsl-vpnkit starts when the host hands in its switch (vpnkit.sh sync); forget an earlier boot's.
[ -x /etc/codchi/vpnkit.sh ] && /etc/codchi/vpnkit.sh boot
setsid sh -c 'while true; do /etc/codchi/daemon.sh; echo "codchi-store: nix daemon exited ($?), restarting" >&2; sleep 1; done' \
  >> /nix/var/log/nix/codchi-daemon.log 2>&1 < /dev/null &
exit 0
