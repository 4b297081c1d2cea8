# shellcheck shell=sh
# codchi machine on WSL: network isolation (codchi.driver.wsl.networkIsolation). Sourced by
# init.sh (functions only). On WSL every distro shares the VM's one network namespace, which is
# the store's; this puts the machine's init (and so systemd and everything it starts) into a
# namespace of its own, joined to the shared one by a veth pair on a bridge there:
#
#   shared namespace (store):  bridge CODCHI_NETNS_BRIDGE, SUBNET.GATEWAY_HOST/24, forwarding,
#                              NAT (masquerade) of SUBNET.0/24 to every other interface
#   machine's namespace:       lo, eth0 = SUBNET.<host>/24, default route via the gateway
#
# Needs the contract (contract.sh, sourced by init.sh) and the tools file's CODCHI_NETNS_IP and
# CODCHI_NETNS_NFT (iproute2's ip and nftables' nft from the machine's NixOS system), plus
# unshare, nsenter, readlink and sleep (the image's busybox).

netns_log() { echo "codchi-init: network isolation: $*" >&2; }

# netns_store_side: the bridge with the gateway address, forwarding and NAT in the shared
# namespace. Idempotent, and safe when several machines start at once (nft replaces codchi's
# own table in one transaction).
netns_store_side() {
  gw="$CODCHI_NETNS_SUBNET.$CODCHI_NETNS_GATEWAY_HOST"
  br="$CODCHI_NETNS_BRIDGE"
  "$CODCHI_NETNS_IP" link add name "$br" type bridge 2>/dev/null ||
    "$CODCHI_NETNS_IP" link show dev "$br" >/dev/null 2>&1 || return 1
  "$CODCHI_NETNS_IP" addr replace "$gw/24" dev "$br" || return 1
  "$CODCHI_NETNS_IP" link set dev "$br" up || return 1
  echo 1 > /proc/sys/net/ipv4/ip_forward || return 1
  printf '%s\n' \
    "table ip codchi { }" \
    "delete table ip codchi" \
    "table ip codchi {" \
    "  chain postrouting {" \
    "    type nat hook postrouting priority srcnat; policy accept;" \
    "    ip saddr $CODCHI_NETNS_SUBNET.0/24 oifname != \"$br\" masquerade" \
    "  }" \
    "}" | "$CODCHI_NETNS_NFT" -f - || return 1
}

# netns_claim <preferred host number>: creates the veth pair of the first free host number from
# the preferred one on (wrapping around the range) and prints that number. The pair's name is
# derived from the number, so creating it is the claim: a pair that exists belongs to another
# running machine (a machine's pair goes away with its namespace when it stops).
netns_claim() {
  first="$CODCHI_NETNS_FIRST_HOST"
  last="$CODCHI_NETNS_LAST_HOST"
  n="$1"
  case "$n" in '' | *[!0-9]*) n="$first" ;; esac
  if [ "$n" -lt "$first" ] || [ "$n" -gt "$last" ]; then n="$first"; fi
  left=$((last - first + 1))
  while [ "$left" -gt 0 ]; do
    link="$CODCHI_NETNS_LINK_PREFIX$n"
    if "$CODCHI_NETNS_IP" link add name "$link" type veth peer name "${link}p" 2>/dev/null; then
      echo "$n"
      return 0
    fi
    if ! "$CODCHI_NETNS_IP" link show dev "$link" >/dev/null 2>&1; then
      netns_log "cannot create the veth pair $link"
      return 1
    fi
    netns_log "$CODCHI_NETNS_SUBNET.$n is taken by another running machine ($link exists)"
    n=$((n + 1))
    [ "$n" -gt "$last" ] && n="$first"
    left=$((left - 1))
  done
  netns_log "every address of $CODCHI_NETNS_SUBNET.0/24 is taken"
  return 1
}

# netns_enter <preferred host number> <init> [args…]: execs init in the machine's own namespace
# (same pid: systemd stays PID 1). Returns 1 when that cannot be done, leaving nothing behind;
# the caller then starts init in the shared namespace.
netns_enter() {
  pref="$1"
  shift
  for tool in "$CODCHI_NETNS_IP" "$CODCHI_NETNS_NFT"; do
    if [ ! -x "$tool" ]; then
      netns_log "missing tool ${tool:-(none named in $CODCHI_NETNS_TOOLS_FILE)}"
      return 1
    fi
  done
  if ! netns_store_side; then
    netns_log "cannot set up the bridge $CODCHI_NETNS_BRIDGE, forwarding and NAT"
    return 1
  fi
  n="$(netns_claim "$pref")" || return 1
  link="$CODCHI_NETNS_LINK_PREFIX$n"
  addr="$CODCHI_NETNS_SUBNET.$n"
  gw="$CODCHI_NETNS_SUBNET.$CODCHI_NETNS_GATEWAY_HOST"
  # A new namespace, held by a short-lived process until this one has entered it.
  unshare -n sleep 60 &
  holder=$!
  own="$(readlink "/proc/$$/ns/net")"
  tries=0
  while [ "$(readlink "/proc/$holder/ns/net" 2>/dev/null)" = "$own" ] && [ "$tries" -lt 100 ]; do
    sleep 0.05
    tries=$((tries + 1))
  done
  in_ns() { nsenter -t "$holder" -n -- "$CODCHI_NETNS_IP" "$@"; }
  if [ "$(readlink "/proc/$holder/ns/net" 2>/dev/null)" != "$own" ] &&
    "$CODCHI_NETNS_IP" link set dev "${link}p" netns "$holder" &&
    "$CODCHI_NETNS_IP" link set dev "$link" master "$CODCHI_NETNS_BRIDGE" &&
    "$CODCHI_NETNS_IP" link set dev "$link" up &&
    in_ns link set dev lo up &&
    in_ns link set dev "${link}p" name eth0 &&
    in_ns addr add "$addr/24" dev eth0 &&
    in_ns link set dev eth0 up &&
    in_ns route add default via "$gw"; then
    # Held by this shell's fd 9 (passed as the namespace to enter) once the holder is gone.
    exec 9< "/proc/$holder/ns/net"
    kill "$holder" 2>/dev/null
    wait "$holder" 2>/dev/null
    netns_log "$addr on eth0, default route via $gw ($CODCHI_NETNS_BRIDGE in the store's namespace)"
    # Enters it, closes fd 9 again (the namespace is held by the process from then on) and
    # execs init: one process throughout.
    exec nsenter -n"/proc/$$/fd/9" -- sh -c 'exec 9<&- && exec "$@"' sh "$@"
  fi
  netns_log "cannot move $link's peer into the machine's namespace"
  kill "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null
  "$CODCHI_NETNS_IP" link del dev "$link" 2>/dev/null
  return 1
}
