#!/bin/sh
# codchi store: the nix daemon every machine talks to (through the shared daemon socket).
export PATH=/bin:/sbin
export NIX_SSL_CERT_FILE=/etc/ssl/certs/ca-bundle.crt
export GIT_SSL_CAINFO=/etc/ssl/certs/ca-bundle.crt
exec nix-daemon
