# LXD / Incus containers: networking, and the host's display and sound at login.
#
# The host driver shares, below `codchi.driver.lxd.hostDir` (all optional):
#   wayland-0      the host's Wayland socket (LXD proxy device, uid 1000)
#   pulse-native   the host's PulseAudio / PipeWire-Pulse socket (proxy device, uid 1000)
#   Xauthority     a copy of the host's X authority file (file push at start)
# and X11 as the abstract socket @/tmp/.X11-unix/X0 (proxy device), i.e. DISPLAY=:0.
{ config, lib, pkgs, ... }:
let
  cfg = config.codchi.driver.lxd;
  user = config.codchi.driver.user;
  xauthority = "/run/codchi/Xauthority";
  copyXauthority = pkgs.writeShellScript "codchi-xauthority" ''
    set -eu
    src=${lib.escapeShellArg cfg.hostDir}/Xauthority
    [ -r "$src" ] || exit 0
    install -d -m 0755 /run/codchi
    tmp="$(mktemp /run/codchi/Xauthority.XXXXXX)"
    # Host-name bound cookies do not match the container's name: make them wildcard entries.
    ${pkgs.xorg.xauth}/bin/xauth -f "$src" nlist | sed -e 's/^..../ffff/' \
      | ${pkgs.xorg.xauth}/bin/xauth -f "$tmp" nmerge - || cp "$src" "$tmp"
    chown ${user} "$tmp"
    chmod 0600 "$tmp"
    mv -f "$tmp" ${xauthority}
  '';
in
{
  options.codchi.driver.lxd = {
    hostDir = lib.mkOption {
      type = lib.types.str;
      default = "/mnt/codchi/host";
      internal = true;
      description = "Where the host driver puts the host's Wayland and sound sockets and X authority.";
    };
  };

  config = lib.mkIf (config.codchi.driver.name == "lxd") {
    # LXD gives eth0 an address by DHCP (when the profile has a network at all); never wait for it.
    networking.useDHCP = lib.mkDefault false;
    networking.useHostResolvConf = lib.mkDefault false;
    networking.useNetworkd = lib.mkDefault true;
    systemd.network.networks."50-codchi-eth0" = {
      matchConfig.Name = "eth0";
      networkConfig = {
        DHCP = "yes";
        IPv6AcceptRA = true;
      };
      linkConfig.RequiredForOnline = "no";
    };

    # Kernel-level things a container cannot do.
    systemd.services.systemd-udev-trigger.enable = lib.mkDefault false;
    systemd.suppressedSystemUnits = [ "sys-kernel-debug.mount" ];

    environment.extraInit = ''
      if [ -z "''${DISPLAY-}" ]; then export DISPLAY="''${CODCHI_DISPLAY:-:0}"; fi
      if [ -z "''${WAYLAND_DISPLAY-}" ] && [ -S ${cfg.hostDir}/wayland-0 ]; then
        export WAYLAND_DISPLAY=${cfg.hostDir}/wayland-0
      fi
      if [ -z "''${PULSE_SERVER-}" ] && [ -S ${cfg.hostDir}/pulse-native ]; then
        export PULSE_SERVER=unix:${cfg.hostDir}/pulse-native
      fi
      if [ -r ${xauthority} ]; then export XAUTHORITY=${xauthority}; fi
    '';

    systemd.services.codchi-xauthority = {
      description = "codchi: the host's X authority for the machine user";
      wantedBy = [ "multi-user.target" ];
      serviceConfig = {
        Type = "oneshot";
        ExecStart = copyXauthority;
      };
    };
    systemd.paths.codchi-xauthority = {
      description = "codchi: watch the host's X authority";
      wantedBy = [ "multi-user.target" ];
      pathConfig = {
        PathChanged = "${cfg.hostDir}/Xauthority";
        Unit = "codchi-xauthority.service";
      };
    };
    systemd.tmpfiles.rules = [ "d ${cfg.hostDir} 0755 root root -" ];
  };
}
