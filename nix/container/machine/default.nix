# The machine's rootfs: a static busybox and /sbin/init (init.sh, with netns.sh for WSL's network
# isolation), nothing else. The NixOS system
# itself is built in the store and reaches the machine through /nix (bind mounts); at start
# init.sh waits (bounded) for the env file, then execs the system profile's init, which activates
# the configuration and execs systemd.
{ pkgs }:
let
  contract = import ../../contract.nix;
  contractSh = pkgs.writeText "contract.sh" contract.shellVars;
  # Read by WSL before /sbin/init runs: systemd on; NixOS rewrites it on activation.
  wslConf = pkgs.writeText "wsl.conf" ''
    [boot]
    systemd = true

    [automount]
    enabled = true
    root = /mnt
    mountFsTab = false
    options = metadata,uid=${toString contract.user.uid},gid=${toString contract.user.gid}

    [interop]
    enabled = true
    appendWindowsPath = false

    [user]
    default = ${contract.user.name}
  '';
in
pkgs.runCommand "codchi-machine-rootfs" { } ''
  mkdir -p $out/sbin $out/usr/lib/codchi/bin $out/etc $out/tmp $out/root $out/run $out/var/log/codchi \
    $out${contract.user.home} $out/proc $out/sys $out/dev \
    $out/nix/store $out/nix/var/nix/db $out/nix/var/nix/daemon-socket $out/nix/var/nix/profiles
  cp ${pkgs.pkgsStatic.busybox}/bin/busybox $out/usr/lib/codchi/busybox
  for applet in $(${pkgs.pkgsStatic.busybox}/bin/busybox --list); do
    ln -s ../busybox $out/usr/lib/codchi/bin/$applet
  done
  install -m 0755 ${./init.sh} $out/sbin/init
  install -m 0644 ${./netns.sh} $out/usr/lib/codchi/netns.sh
  cp ${contractSh} $out/usr/lib/codchi/contract.sh
  cp ${wslConf} $out/etc/wsl.conf
  printf 'root:x:0:0:root:/root:/usr/lib/codchi/bin/sh\n' > $out/etc/passwd
  printf 'root:x:0:\n' > $out/etc/group
''
