# The store's rootfs: static busybox (with udhcpc for DHCP on LXD), static nix and git, the CA
# bundle, build users, the contract's paths (contract.sh), and the
# start-up: busybox init with an inittab (LXD) or wsl.conf's boot command (WSL), both running
# setup.sh and then the nix daemon (daemon.sh). /nix itself is the host's (LXD: a disk device)
# or the distro's own disk (WSL), so nothing here lives in /nix — except, in the WSL image
# (`wsl = true`), the closure of nixpkgs' wsl-vpnkit (config.json `windows.vpnkit`, vpnkit.sh),
# which lands on the distro's own /nix and is registered with its nix database when first used.
{ pkgs, wsl ? false }:
let
  contract = import ../../contract.nix;
  contractSh = pkgs.writeText "contract.sh" contract.shellVars;
  static = pkgs.pkgsStatic;
  passwd = pkgs.writeText "passwd" (''
    root:x:0:0:root:/root:/bin/sh
    nobody:x:65534:65534:nobody:/nonexistent:/bin/false
  '' + pkgs.lib.concatMapStrings
    (i: "nixbld${toString i}:x:${toString (30000 + i)}:30000:nix build user ${toString i}:/var/empty:/bin/false\n")
    (pkgs.lib.range 1 16));
  group = pkgs.writeText "group" ''
    root:x:0:
    nixbld:x:30000:${pkgs.lib.concatMapStringsSep "," (i: "nixbld${toString i}") (pkgs.lib.range 1 16)}
    nogroup:x:65534:
  '';
  nixConf = pkgs.writeText "nix.conf" ''
    build-users-group = nixbld
    experimental-features = nix-command flakes
    sandbox = true
    sandbox-fallback = true
    trusted-users = root
    auto-optimise-store = true
    ssl-cert-file = /etc/ssl/certs/ca-bundle.crt
    # The team's binary caches from config.json (`nix`), pushed by the host before each start.
    !include ${contract.nixCachesFile}
  '';
  inittab = pkgs.writeText "inittab" ''
    ::sysinit:/etc/codchi/setup.sh
    ::respawn:/etc/codchi/daemon.sh
    ::ctrlaltdel:/bin/sync
    ::shutdown:/bin/sync
  '';
  wslConf = pkgs.writeText "wsl.conf" ''
    [boot]
    command = /etc/codchi/boot-wsl.sh

    [automount]
    enabled = true
    root = /mnt
    mountFsTab = false

    [interop]
    enabled = true
    appendWindowsPath = false

    [user]
    default = root
  '';
  # Local modules are owned by the machine user (WSL), not by root: let git read them.
  gitConfig = pkgs.writeText "gitconfig" ''
    [safe]
      directory = *
  '';
  gitWrapper = pkgs.writeText "git" ''
    #!/bin/sh
    # git from /opt/git, whose helpers live outside /nix (the host's /nix hides the image's).
    export GIT_EXEC_PATH=/opt/git/libexec/git-core
    export GIT_CONFIG_SYSTEM=/etc/gitconfig
    export GIT_SSL_CAINFO="''${GIT_SSL_CAINFO:-/etc/ssl/certs/ca-bundle.crt}"
    exec /opt/git/bin/git "$@"
  '';
  # wsl-vpnkit, its Linux side (gvproxy's gvforwarder as wsl-vm) and the Windows gvproxy it runs
  # through WSL interop, with the tools its script calls (nixpkgs' package wraps them in).
  vpnkit = pkgs.wsl-vpnkit;
  vpnkitClosure = pkgs.closureInfo { rootPaths = [ vpnkit ]; };
  vpnkitConf = pkgs.writeText "vpnkit.conf" ''
    VPNKIT_PROGRAM=${vpnkit}/bin/wsl-vpnkit
    VPNKIT_REGISTRATION=/etc/codchi/vpnkit-registration
  '';
in
pkgs.runCommand "codchi-store-rootfs${pkgs.lib.optionalString wsl "-wsl"}" { } ''
  mkdir -p $out/bin $out/sbin $out/etc/codchi $out/etc/nix $out/etc/ssl/certs $out/opt \
    $out/tmp $out/root $out/run $out/var/empty $out/nix $out/config $out/data $out/proc $out/sys $out/dev

  cp ${static.busybox}/bin/busybox $out/bin/busybox
  for applet in $(${static.busybox}/bin/busybox --list); do
    [ -e $out/bin/$applet ] || ln -s busybox $out/bin/$applet
  done
  ln -s ../bin/busybox $out/sbin/init

  cp ${static.nix}/bin/nix $out/bin/nix
  for alias in nix-build nix-channel nix-collect-garbage nix-copy-closure nix-daemon nix-env \
    nix-hash nix-instantiate nix-prefetch-url nix-shell nix-store; do
    ln -sf nix $out/bin/$alias
  done

  cp -r ${static.git} $out/opt/git
  cp ${gitWrapper} $out/bin/git
  chmod 0755 $out/bin/git

  cp ${gitConfig} $out/etc/gitconfig
  cp ${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt $out/etc/ssl/certs/ca-bundle.crt
  ln -s ca-bundle.crt $out/etc/ssl/certs/ca-certificates.crt
  cp ${passwd} $out/etc/passwd
  cp ${group} $out/etc/group
  cp ${nixConf} $out/etc/nix/nix.conf
  cp ${inittab} $out/etc/inittab
  cp ${wslConf} $out/etc/wsl.conf
  install -m 0755 ${./setup.sh} $out/etc/codchi/setup.sh
  install -m 0755 ${./daemon.sh} $out/etc/codchi/daemon.sh
  install -m 0755 ${./udhcpc.sh} $out/etc/codchi/udhcpc.sh
  cp ${contractSh} $out/etc/codchi/contract.sh
  install -m 0755 ${./boot_wsl.sh} $out/etc/codchi/boot-wsl.sh
  install -m 0755 ${./vpnkit.sh} $out/etc/codchi/vpnkit.sh
  ${pkgs.lib.optionalString wsl ''
    mkdir -p $out/nix/store
    for p in $(cat ${vpnkitClosure}/store-paths); do cp -a "$p" $out/nix/store/; done
    cp ${vpnkitClosure}/registration $out/etc/codchi/vpnkit-registration
    cp ${vpnkitConf} $out/etc/codchi/vpnkit.conf
  ''}
  echo 'export PATH=/bin:/sbin' > $out/etc/profile
''
