#!/bin/sh
# codchi store: the nix daemon every machine talks to (through the shared daemon socket). The
# host's proxy settings (opt-in, config.json `hostProxy`) are in CODCHI_PROXY_FILE when it pushed
# them; nix and git then fetch through that proxy.
export PATH=/bin:/sbin
# shellcheck disable=SC1091
[ -r /etc/codchi/contract.sh ] && . /etc/codchi/contract.sh
export NIX_SSL_CERT_FILE=/etc/ssl/certs/ca-bundle.crt
export GIT_SSL_CAINFO=/etc/ssl/certs/ca-bundle.crt
if [ -n "${CODCHI_PROXY_FILE:-}" ] && [ -r "$CODCHI_PROXY_FILE" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$CODCHI_PROXY_FILE"
  set +a
fi
exec nix-daemon
