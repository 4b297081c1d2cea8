# codchi-vpnkit-dns (WSL): while the store's wsl-vpnkit runs (its state file, in the folder every
# distro of WSL's VM shares, names gvproxy's DNS), the machine asks that DNS, which resolves through
# Windows (and so through the VPN's name servers); when it stops, WSL's own resolv.conf is back.
# WSL's search/domain/options lines are kept. Placeholders: @state@, @resolv@, @saved@.
state=@state@
resolv=@resolv@
saved=@saved@
mark="# codchi: wsl-vpnkit"
dns=
if [ -r "$state" ]; then
  dns=$(sed -n 's/^CODCHI_VPNKIT_DNS=//p' "$state" | head -n 1)
  case $dns in
    "" | *[!0-9.]*)
      echo "codchi-vpnkit-dns: $state names no IPv4 name server; WSL's is kept" >&2
      dns=
      ;;
  esac
fi
ours() { [ -e "$resolv" ] && grep -q "^$mark" "$resolv"; }
if [ -n "$dns" ]; then
  if ! ours; then
    mkdir -p "$(dirname "$saved")"
    if [ -e "$resolv" ]; then cp -L "$resolv" "$saved"; else : >"$saved"; fi
  fi
  {
    echo "$mark (the store's gvproxy; WSL's own is kept in $saved)"
    echo "nameserver $dns"
    grep -E '^(search|domain|options)[[:space:]]' "$saved" || true
  } >"$resolv.codchi" && mv -f "$resolv.codchi" "$resolv"
  echo "codchi-vpnkit-dns: using $dns (wsl-vpnkit)"
elif ours; then
  if [ -r "$saved" ]; then
    cp "$saved" "$resolv.codchi" && mv -f "$resolv.codchi" "$resolv" && rm -f "$saved"
    echo "codchi-vpnkit-dns: WSL's own name servers are back"
  else
    echo "codchi-vpnkit-dns: WSL's resolv.conf was not kept; it comes back at the next start" >&2
  fi
fi
exit 0
