#!/bin/sh
# busybox udhcpc event script of the codchi store: address, default route and resolv.conf.
# CODCHI_INIT_ROOT prefixes the files it writes and CODCHI_TEST_PATH the PATH (tests only).
R="${CODCHI_INIT_ROOT:-}"
export PATH="${CODCHI_TEST_PATH:+$CODCHI_TEST_PATH:}/bin:/sbin"
case "$1" in
  deconfig)
    ip -4 addr flush dev "$interface" 2>/dev/null
    ip link set "$interface" up
    ;;
  bound | renew)
    ip -4 addr flush dev "$interface" 2>/dev/null
    ip addr add "$ip/${mask:-24}" ${broadcast:+broadcast "$broadcast"} dev "$interface"
    if [ -n "${router:-}" ]; then
      ip route del default dev "$interface" 2>/dev/null
      for r in $router; do
        ip route add default via "$r" dev "$interface" && break
      done
    fi
    {
      [ -n "${domain:-}" ] && echo "search $domain"
      for d in ${dns:-}; do echo "nameserver $d"; done
    } > "$R/etc/resolv.conf.tmp" && mv -f "$R/etc/resolv.conf.tmp" "$R/etc/resolv.conf"
    ;;
esac
exit 0
