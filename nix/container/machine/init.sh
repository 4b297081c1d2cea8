#!/usr/lib/codchi/busybox sh
# codchi machine: PID 1 until NixOS takes over.
# The contract's paths and ids come from /usr/lib/codchi/contract.sh (written from nix/contract.json).
#  1. Wait at most CODCHI_ENV_TIMEOUT seconds (default 30) for the env file (CODCHI_ENV_FILE), which
#     the host pushes (LXD) or drops at CODCHI_WSL_ENV_DROP (WSL). Without it the machine starts
#     without secrets. (NixOS deletes the file at shutdown, so an existing one is fresh.)
#  2. WSL only: bind-mount the store's /nix (shared by the store under /mnt/wsl/codchi/nix) and
#     the machine's profiles folder (CODCHI_PROFILES_DIR from the env file, a Linux path such as
#     /mnt/c/Users/…/codchi/machines/<name>/profiles; default: the store's
#     /nix/var/nix/profiles/codchi/<name>), and share this machine's home with the store at
#     /mnt/wsl/codchi/machines/<name>/home (for local modules). The name comes from
#     WSL_DISTRO_NAME (codchi-<name>) or CODCHI_MACHINE_NAME in the env file.
#  3. exec the system profile's init: NixOS activation, then systemd. WSL only: when the system
#     asks for network isolation (its /etc holds the contract's CODCHI_NETNS_TOOLS_FILE, written
#     by codchi.driver.wsl.networkIsolation), in a network namespace of its own (netns.sh), its
#     preferred address from the env file (CODCHI_NETNS_HOST_VAR, written by the host); when that
#     fails, in WSL's shared one, as without the option.
# CODCHI_INIT_ROOT prefixes every path (tests only).
R="${CODCHI_INIT_ROOT:-}"
export PATH="$R/usr/lib/codchi/bin:/usr/lib/codchi/bin:/bin:/usr/bin"
timeout="${CODCHI_ENV_TIMEOUT:-30}"

log() { echo "codchi-init: $*" >&2; }

contract="$R/usr/lib/codchi/contract.sh"
if [ ! -r "$contract" ]; then
  log "$contract is missing (a broken machine image)"
  exit 1
fi
# shellcheck disable=SC1090
. "$contract"
env_file="$R$CODCHI_ENV_FILE"
drop="$R$CODCHI_WSL_ENV_DROP"
system="$R$CODCHI_SYSTEM_PROFILE"

wait_for() { # wait_for <seconds> <test args…>
  limit=$1
  shift
  n=0
  while ! test "$@"; do
    [ "$n" -ge "$limit" ] && return 1
    sleep 1
    n=$((n + 1))
  done
  return 0
}

env_value() { # env_value NAME: a plain value from the env file (NAME='value' or NAME=value)
  [ -r "$env_file" ] || return 0
  sed -n -e "s/^$1='\\(.*\\)'\$/\\1/p" -e "s/^$1=\\([^'\"].*\\)\$/\\1/p" "$env_file" |
    head -n 1 | sed "s/'\"'\"'/'/g"
}

machine_name() {
  if [ -n "${WSL_DISTRO_NAME:-}" ]; then
    echo "${WSL_DISTRO_NAME#codchi-}"
  else
    env_value CODCHI_MACHINE_NAME
  fi
}

bind() { # bind <from> <to>
  mkdir -p "$2"
  mountpoint -q "$2" || mount --bind "$1" "$2" || log "cannot mount $1 on $2"
}

# 1. the env file (a WSL host drops it in /tmp)
if ! wait_for "$timeout" -e "$env_file" -o -e "$drop"; then
  log "no env file after ${timeout}s; starting without secrets"
fi
if [ -e "$drop" ]; then
  mv -f "$drop" "$env_file"
fi
[ -e "$env_file" ] || : > "$env_file"
chown "$CODCHI_UID:0" "$env_file" 2>/dev/null
chmod 0600 "$env_file"

# 2. WSL: the store's /nix, and this machine's home for the store
shared="$R/mnt/wsl/codchi"
if [ -d "$R/mnt/wsl" ] && [ -z "${CODCHI_INIT_ROOT:-}" ]; then
  name="$(machine_name)"
  if ! wait_for "$timeout" -d "$shared/nix/store"; then
    log "the store does not share /nix at $shared/nix (is codchistore running?)"
    exit 1
  fi
  bind "$shared$CODCHI_NIX_STORE" "$CODCHI_NIX_STORE"
  bind "$shared$CODCHI_NIX_DB" "$CODCHI_NIX_DB"
  bind "$shared$CODCHI_NIX_DAEMON_SOCKET_DIR" "$CODCHI_NIX_DAEMON_SOCKET_DIR"
  if [ -n "$name" ]; then
    # The profiles folder as the host driver set it up (the store writes the system profile
    # there), else one inside the store's /nix.
    profiles="$(env_value CODCHI_PROFILES_DIR)"
    [ -n "$profiles" ] || profiles="$shared$CODCHI_NIX_PROFILES_DIR/codchi/$name"
    mkdir -p "$profiles"
    bind "$profiles" "$CODCHI_NIX_PROFILES_DIR"
    bind "$CODCHI_HOME" "$shared/machines/$name/home"
  else
    log "cannot tell this machine's name (WSL_DISTRO_NAME or CODCHI_MACHINE_NAME)"
  fi
fi

# 3. NixOS
if [ ! -x "$system/init" ]; then
  log "no NixOS system at $system; build it with: codchi rebuild <machine>"
  exit 1
fi
tools="$system$CODCHI_NETNS_TOOLS_FILE"
if [ -d "$R/mnt/wsl" ] && [ -z "${CODCHI_INIT_ROOT:-}" ] && [ -r "$tools" ]; then
  # shellcheck disable=SC1090
  . "$tools"
  # shellcheck disable=SC1091
  . /usr/lib/codchi/netns.sh
  netns_enter "$(env_value "$CODCHI_NETNS_HOST_VAR")" "$system/init" ||
    log "network isolation failed: starting in WSL's shared network namespace"
fi
exec "$system/init"
