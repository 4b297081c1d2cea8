#!/usr/bin/env bash
# Sets up the real-LXD test bed: Debian's LXD started by hand and initialised with NO network,
# and two small Debian images built with debootstrap (a systemd "machine" standing in for NixOS,
# and a "store" running Debian's nix-daemon). Idempotent and cached under .testbed/lxd/, keyed by
# a hash of this script and of the test driver flake; ends by writing .testbed.env.
#
#   sudo bash scripts/lxd-testbed.sh && source .testbed.env
#
# (debootstrap does not resolve virtual packages: libdbi-perl provides perl-dbdabi-94 for nix-bin.)
#
# Network safety: the LXD preseed creates no network and the default profile has no NIC, so the
# containers have loopback only; Nix runs with `substituters =` and a local flake registry.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BED="$REPO/.testbed/lxd"
FLAKE_SRC="$REPO/tests/driver-flake"
RELEASE_STORE="$REPO/nix/container/store"
SUITE=bookworm
LXD_WAIT=${LXD_WAIT:-120}
mkdir -p "$BED"

log() { printf '[lxd-testbed] %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}
[ "$(id -u)" = 0 ] || die "run as root (it installs packages, starts LXD and runs debootstrap)"

# --- 1. packages ---------------------------------------------------------------------------------
missing=()
command -v lxd >/dev/null || missing+=(lxd)
command -v lxc >/dev/null || missing+=(lxd-client)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v nix-instantiate >/dev/null || missing+=(nix-bin)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 2./3. LXD running and initialised without any network (scripts/lxd-up.sh) ---------------
LXD_LOGDIR="$BED" LXD_WAIT="$LXD_WAIT" bash "$REPO/scripts/lxd-up.sh"
if lxc -q profile device show default | grep -q 'type: nic'; then
  die "the default LXD profile has a network device; the test bed refuses to run with it"
fi

# --- 4. images (debootstrap once, then one copy per image) -------------------------------------
# The Debian mirror this machine is configured with (deb822 .sources first, then .list lines).
mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      /^[[:space:]]*$/ { if (ok && uri) { print uri; exit } ok = 0; uri = ""; next }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
      END { if (ok && uri) print uri }' "$f"
  done
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk -v suite="$SUITE" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i == suite) { print $(i-1); break } }' |
    grep -v '^\[' || true
}
MIRROR=$(mirror | head -n1)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

PACKAGES=systemd,libdbi-perl,dbus,dbus-user-session,libpam-systemd,sudo,bash,procps,nix-bin,x11-apps,x11-utils,xauth,pulseaudio-utils,wayland-utils,libsecret-tools,git
BASE_KEY=$(printf '%s %s %s' "$SUITE" "$PACKAGES" "$MIRROR" | sha256sum | cut -c1-12)
IMG_KEY=$( (
  cat "$0" "$REPO/nix/contract.json" "$REPO/nix/nixos/driver/codchi-init.sh"
  cd "$FLAKE_SRC" && find . -type f | LC_ALL=C sort | xargs sha256sum
  cd "$RELEASE_STORE" && find . -type f | LC_ALL=C sort | xargs sha256sum
  cat "$REPO/nix/contract.json" "$REPO/nix/contract.nix"
) | sha256sum | cut -c1-12)
BASE="$BED/base-$BASE_KEY"
OUT="$BED/images-$IMG_KEY"

if [ ! -d "$BASE" ]; then
  log "debootstrap $SUITE (minbase + ${PACKAGES//,/ }) from $MIRROR"
  rm -rf "$BASE.tmp"
  mkdir -p "$BED/debs"
  start=$(date +%s)
  debootstrap --variant=minbase --include="$PACKAGES" --components=main \
    --cache-dir="$BED/debs" "$SUITE" "$BASE.tmp" "$MIRROR" >"$BED/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $BED/debootstrap.log"
  # Trim what a test image never needs.
  # (Mesa's DRI drivers and the LLVM/Z3 they load come with x11-utils; no test draws with GL.)
  rm -rf "$BASE.tmp"/var/cache/apt/archives/*.deb "$BASE.tmp"/var/lib/apt/lists/* \
    "$BASE.tmp"/usr/share/doc/* "$BASE.tmp"/usr/share/man/* "$BASE.tmp"/usr/share/info/* \
    "$BASE.tmp"/usr/share/locale/* "$BASE.tmp"/usr/lib/x86_64-linux-gnu/dri \
    "$BASE.tmp"/usr/lib/x86_64-linux-gnu/libLLVM* "$BASE.tmp"/usr/lib/x86_64-linux-gnu/libz3*
  mv "$BASE.tmp" "$BASE"
  log "debootstrap took $(($(date +%s) - start))s"
fi

# Common set-up of both images, run in a copy of the base.
common_setup() {
  local root=$1
  : >"$root/etc/machine-id"
  rm -f "$root/var/lib/dbus/machine-id"
  echo "codchi-testbed" >"$root/etc/hostname"
  # No timers that would reach for the network; no getty on a console nobody reads.
  for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
    systemd-networkd.service systemd-resolved.service console-getty.service; do
    ln -sfn /dev/null "$root/etc/systemd/system/$u"
  done
  mkdir -p "$root/etc/nix"
  echo '{"flakes":[],"version":2}' >"$root/etc/nix/registry.json"
}

build_machine() {
  local root=$1
  common_setup "$root"
  # The machine user and paths exactly as codchi's NixOS module sets them up, from the same
  # contract file (nix/contract.json): user, uid, group and gid, home, groups (wheel), lingering,
  # the env file every login shell sources, and the folder the host's sockets appear in.
  local user uid group gid home groups env_file host_dir g
  read -r user uid group gid home groups env_file host_dir < <(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
u = c["user"]
print(u["name"], u["uid"], u["group"], u["gid"], u["home"], ",".join(u["extraGroups"]), c["envFile"], c["hostDir"])
' "$REPO/nix/contract.json")
  [ "$(chroot "$root" getent group "$group" | cut -d: -f3)" = "$gid" ] ||
    die "group $group of the contract does not have gid $gid in the Debian image"
  for g in ${groups//,/ }; do
    chroot "$root" getent group "$g" >/dev/null || chroot "$root" groupadd -r "$g"
  done
  chroot "$root" useradd -m -u "$uid" -g "$group" -G "$groups" -d "$home" -s /bin/bash "$user"
  # The home is a mount of a host folder that may belong to the container's root: handed over at
  # boot, as on NixOS.
  echo "d $home 0700 $user $group -" >"$root/etc/tmpfiles.d/codchi-home.conf"
  echo "d $host_dir 0755 root root -" >"$root/etc/tmpfiles.d/codchi-host-dir.conf"
  # As security.sudo.wheelNeedsPassword = false.
  echo '%wheel ALL=(ALL) NOPASSWD:ALL' >"$root/etc/sudoers.d/codchi-wheel"
  chmod 0440 "$root/etc/sudoers.d/codchi-wheel"
  # Linger (users.users.<name>.linger): the user manager, /run/user/<uid> and the session bus run
  # from boot.
  mkdir -p "$root/var/lib/systemd/linger"
  : >"$root/var/lib/systemd/linger/$user"
  cat >"$root/etc/nix/nix.conf" <<'EOF'
# codchi test machine: every Nix operation goes to the store container's daemon.
store = daemon
substituters =
experimental-features = nix-command flakes
flake-registry = /etc/nix/registry.json
EOF
  # Every login shell sources the env file (secrets) the driver pushes before start.
  mkdir -p "$root/etc/profile.d"
  cat >"$root/etc/profile.d/codchi-env.sh" <<EOF
if [ -r $env_file ]; then set -a; . $env_file; set +a; fi
EOF
  # codchi-init and codchi-welcome as codchi's NixOS module makes them (nix/nixos/driver/init.nix):
  # command names, marker and system profile from the contract, the body the shared
  # nix/nixos/driver/codchi-init.sh; the init script and the welcome are those the test driver
  # flake copies into the system (<system>/codchi/init-script and welcome).
  local init_cmd welcome_cmd marker sysprof
  read -r init_cmd welcome_cmd marker sysprof < <(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
print(c["commands"]["init"], c["commands"]["welcome"], c["initDoneMarker"], c["nix"]["systemProfile"])
' "$REPO/nix/contract.json")
  {
    echo '#!/bin/bash'
    echo "export CODCHI_INIT_SCRIPT=$sysprof/codchi/init-script"
    echo "export CODCHI_INIT_WELCOME=/usr/local/bin/$welcome_cmd"
    echo "export CODCHI_INIT_MARKER=$home/$marker"
    cat "$REPO/nix/nixos/driver/codchi-init.sh"
  } >"$root/usr/local/bin/$init_cmd"
  printf '#!/bin/sh\ncat %s/codchi/welcome\n' "$sysprof" >"$root/usr/local/bin/$welcome_cmd"
  chmod 0755 "$root/usr/local/bin/$init_cmd" "$root/usr/local/bin/$welcome_cmd"
  # /sbin/init: wait (bounded) for the env file, then systemd.
  rm -f "$root/sbin/init"
  cat >"$root/sbin/init" <<EOF
#!/bin/sh
# codchi test machine init: waits at most 10 s for the env file, then runs systemd.
i=0
while [ ! -e $env_file ] && [ "\$i" -lt 100 ]; do
  /bin/sleep 0.1
  i=\$((i + 1))
done
exec /lib/systemd/systemd "\$@"
EOF
  chmod 0755 "$root/sbin/init"
}

build_store() {
  local root=$1
  common_setup "$root"
  chroot "$root" groupadd -r -g 30000 nixbld
  for i in 1 2 3 4 5 6 7 8; do
    chroot "$root" useradd -M -N -u $((30000 + i)) -g nixbld -G nixbld -d /var/empty \
      -s /usr/sbin/nologin -c "Nix build user $i" "nixbld$i"
  done
  cat >"$root/etc/nix/nix.conf" <<'EOF'
# codchi test store: offline (no substituters, local registry), builds as nixbld users.
build-users-group = nixbld
substituters =
experimental-features = nix-command flakes
flake-registry = /etc/nix/registry.json
# The sandbox would need user namespaces inside the (nested) container; the test flake's
# builder is the store's /bin/sh, which a sandbox would hide.
sandbox = false
EOF
  cat >"$root/etc/systemd/system/codchi-nix-daemon.service" <<'EOF'
[Unit]
Description=Nix daemon of the codchi store
RequiresMountsFor=/nix

[Service]
ExecStartPre=/usr/bin/nix-store --init
ExecStart=/usr/bin/nix-daemon
Restart=always
RestartSec=1
KillMode=process

[Install]
WantedBy=multi-user.target
EOF
  ln -sfn /etc/systemd/system/codchi-nix-daemon.service \
    "$root/etc/systemd/system/multi-user.target.wants/codchi-nix-daemon.service"
  # The test driver flake, where the store's Nix can read it (CODCHI_DRIVER_FLAKE).
  mkdir -p "$root/opt/codchi"
  cp -r "$FLAKE_SRC" "$root/opt/codchi/driver-flake"
}

# --- the release store's own files in the test store -------------------------------------------
# The release store image (nix/container/store) starts with setup.sh (the /nix folders, the host's
# CA bundle merged into /etc/ssl/certs/ca-bundle.crt; the contract's paths from contract.sh),
# then daemon.sh; its git trusts every repo
# owner (/etc/gitconfig: checkouts owned by the machine user stay readable). The test store takes
# these very files: the scripts are copied, the gitconfig is read out of default.nix, and a
# systemd drop-in runs them in place of its own start-up (systemd stays PID 1, not busybox init).
release_store_files() {
  local root=$1
  mkdir -p "$root/etc/codchi" "$root/etc/ssl/certs" \
    "$root/etc/systemd/system/codchi-nix-daemon.service.d"
  install -m 0755 "$RELEASE_STORE/setup.sh" "$root/etc/codchi/setup.sh"
  install -m 0755 "$RELEASE_STORE/daemon.sh" "$root/etc/codchi/daemon.sh"
  install -m 0755 "$RELEASE_STORE/udhcpc.sh" "$root/etc/codchi/udhcpc.sh"
  # contract.sh as the release image gets it: contract.nix's shellVars.
  nix-instantiate --eval --strict --json -E "(import $REPO/nix/contract.nix).shellVars" |
    sed -e 's/^"//' -e 's/"$//' -e 's/\\n/\n/g' >"$root/etc/codchi/contract.sh"
  grep -q '^CODCHI_HOST_CA_FILE=/' "$root/etc/codchi/contract.sh" || die "contract.sh is incomplete"
  awk -v q="''" '
    index($0, "gitConfig = pkgs.writeText \"gitconfig\" " q) { on = 1; next }
    on && $0 ~ "^ *" q ";" { exit }
    on { sub(/^    /, ""); print }' "$RELEASE_STORE/default.nix" >"$root/etc/gitconfig"
  grep -q 'directory = \*' "$root/etc/gitconfig" || die "no gitconfig found in $RELEASE_STORE/default.nix"
  # The release nix.conf includes the file the host writes the team's caches to (config.json
  # `nix`): the same line, with the contract's path.
  grep -q '^ *!include ${contract.nixCachesFile}$' "$RELEASE_STORE/default.nix" ||
    die "the release store's nix.conf does not include the contract's nixCachesFile"
  python3 -c 'import json, sys; print("!include " + json.load(open(sys.argv[1]))["nixCachesFile"])' \
    "$REPO/nix/contract.json" >>"$root/etc/nix/nix.conf"
  # The image's own CA bundle: empty here (the test store reaches no public server).
  : >"$root/etc/ssl/certs/ca-bundle.crt"
  ln -sfn ca-bundle.crt "$root/etc/ssl/certs/ca-certificates.crt"
  cat >"$root/etc/systemd/system/codchi-nix-daemon.service.d/release-scripts.conf" <<'EOF'
[Service]
ExecStartPre=
ExecStartPre=/etc/codchi/setup.sh
ExecStartPre=/usr/bin/nix-store --init
ExecStart=
ExecStart=/etc/codchi/daemon.sh
EOF
}

# Packs `root` as a unified LXD image tarball (metadata.yaml + rootfs/).
pack() {
  local root=$1 desc=$2 tarball=$3 dir
  dir=$(dirname "$root")
  cat >"$dir/metadata.yaml" <<EOF
architecture: x86_64
creation_date: $(date +%s)
properties:
  description: $desc
  os: debian
  release: $SUITE
EOF
  tar --numeric-owner --xattrs -C "$dir" -cf "$tarball" metadata.yaml rootfs
}

if [ ! -f "$OUT/machine.tar" ] || [ ! -f "$OUT/store.tar" ]; then
  log "building the test images into $OUT"
  start=$(date +%s)
  rm -rf "$OUT.tmp"
  mkdir -p "$OUT.tmp/m" "$OUT.tmp/s"
  cp -a "$BASE" "$OUT.tmp/m/rootfs"
  cp -a "$BASE" "$OUT.tmp/s/rootfs"
  build_machine "$OUT.tmp/m/rootfs"
  build_store "$OUT.tmp/s/rootfs"
  release_store_files "$OUT.tmp/s/rootfs"
  pack "$OUT.tmp/m/rootfs" "codchi test machine (Debian $SUITE, systemd)" "$OUT.tmp/machine.tar"
  pack "$OUT.tmp/s/rootfs" "codchi test store (Debian $SUITE, nix-daemon)" "$OUT.tmp/store.tar"
  rm -rf "$OUT.tmp/m" "$OUT.tmp/s"
  mv "$OUT.tmp" "$OUT"
  log "images took $(($(date +%s) - start))s"
  # Keep the three newest builds (several checkouts of the project may share this cache).
  find "$BED" -maxdepth 1 -name 'images-*' ! -name '*.tmp' -printf '%T@ %p\n' | sort -rn |
    tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf
fi

cat >"$REPO/.testbed.env" <<EOF
# Written by scripts/lxd-testbed.sh: points codchi at the real-LXD test bed.
export CODCHI_LXD_STORE_IMAGE=$OUT/store.tar
export CODCHI_LXD_MACHINE_IMAGE=$OUT/machine.tar
export CODCHI_DRIVER_FLAKE=$REPO/tests/driver-flake
EOF
log "ready: source $REPO/.testbed.env"
