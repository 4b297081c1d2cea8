# LXD / Incus containers: networking, NixOS's container service overrides, and the host's display
# and sound.
#
# The host driver shares, below the contract's `hostDir` (src/host/linux/devices.ts; all optional):
#   hostFiles.wayland          the host's Wayland socket (LXD proxy device, owned by the user)
#   hostFiles.pulse            the host's PulseAudio / PipeWire-Pulse socket (proxy device)
#   hostFiles.pulseClientConf  a PulseAudio client.conf naming that socket and the cookie
#   hostFiles.xauthority       the host's X cookie as a FamilyWild entry (pushed before each exec)
# and X11 as the abstract socket @/tmp/.X11-unix/X0 (proxy device), i.e. DISPLAY = contract.display.
{ config, lib, pkgs, ... }:
let
  contract = import ../../../contract.nix;
  cfg = config.codchi.driver.lxd;
  file = key: "${cfg.hostDir}/${contract.hostFiles.${key}}";
  # What NixOS's own lxc-container.nix (after LXD's distrobuilder) relaxes for every service: the
  # container's /proc, cgroups and kernel tunables are not the container's to protect.
  serviceOverrides = pkgs.writeTextFile {
    name = "codchi-lxc-service-overrides";
    destination = "/etc/systemd/system/service.d/zzz-lxc-service.conf";
    text = ''
      [Service]
      ProcSubset=all
      ProtectProc=default
      ProtectControlGroups=no
      ProtectKernelTunables=no
      NoNewPrivileges=no
      LoadCredential=
    '';
  };
in
{
  options.codchi.driver.lxd = {
    hostDir = lib.mkOption {
      type = lib.types.str;
      default = contract.hostDir;
      internal = true;
      readOnly = true;
      description = "Where the host driver puts the host's sockets and X cookie (nix/contract.json).";
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

    systemd.packages = [ serviceOverrides ];

    # Kernel-level things a container cannot do.
    systemd.services.systemd-udev-trigger.enable = lib.mkDefault false;
    systemd.suppressedSystemUnits = [ "sys-kernel-debug.mount" ];

    # Login shells (what `codchi exec` runs) ...
    environment.extraInit = ''
      if [ -z "''${DISPLAY-}" ]; then export DISPLAY="''${${contract.displayVar}:-${contract.display}}"; fi
      if [ -z "''${XAUTHORITY-}" ] && [ -r ${file "xauthority"} ]; then
        export XAUTHORITY=${file "xauthority"}
      fi
      if [ -z "''${WAYLAND_DISPLAY-}" ] && [ -S ${file "wayland"} ]; then
        export WAYLAND_DISPLAY=${file "wayland"}
      fi
      if [ -z "''${PULSE_SERVER-}" ] && [ -S ${file "pulse"} ]; then
        export PULSE_SERVER=unix:${file "pulse"}
      fi
      if [ -z "''${PULSE_CLIENTCONFIG-}" ] && [ -r ${file "pulseClientConf"} ]; then
        export PULSE_CLIENTCONFIG=${file "pulseClientConf"}
      fi
    '';
    # ... and the user's services and XDG autostart entries, which no shell starts.
    systemd.user.extraConfig = ''
      DefaultEnvironment="DISPLAY=${contract.display}" "XAUTHORITY=${file "xauthority"}" "PULSE_SERVER=unix:${file "pulse"}" "PULSE_CLIENTCONFIG=${file "pulseClientConf"}"
    '';

    systemd.tmpfiles.rules = [ "d ${cfg.hostDir} 0755 root root -" ];
  };
}
