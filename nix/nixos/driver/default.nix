# The machine driver: bridges a hardware-agnostic NixOS configuration to a codchi container
# (LXD or WSL), or to nothing at all (driver "none": a plain NixOS system, for exports and VMs).
# The facts the host relies on (user, env file, socket folder, units) come from ../../contract.nix.
{ config, lib, ... }:
let
  contract = import ../../contract.nix;
  cfg = config.codchi.driver;
  inContainer = cfg.name != "none";
in
{
  imports = [
    ../modules
    ./apps.nix
    ./init.nix
    ./secrets.nix
    ./lxd
    ./wsl
  ];

  options.codchi.driver = {
    name = lib.mkOption {
      type = lib.types.enum [ "lxd" "wsl" "none" ];
      default = "none";
      description = ''
        Which container the machine runs in. codchi sets it (`codchi_driver.lib.codeMachine`);
        set it to `"none"` (the default) to use codchi's modules in a plain NixOS system, e.g. a
        VM built from the flake of `codchi tar`.
      '';
    };
    user = lib.mkOption {
      type = lib.types.str;
      default = contract.user.name;
      internal = true;
      readOnly = true;
      description = "The machine's user, as which `codchi exec` runs commands (nix/contract.json).";
    };
  };

  config = lib.mkMerge [
    {
      system.stateVersion = lib.mkDefault lib.trivial.release;

      users.users.${cfg.user} = {
        isNormalUser = true;
        inherit (contract.user) uid group home extraGroups description;
      };
      security.sudo.wheelNeedsPassword = lib.mkDefault false;
      nix.settings.experimental-features = [ "nix-command" "flakes" ];
      nix.settings.trusted-users = [ "root" cfg.user ];
    }

    (lib.mkIf inContainer {
      boot.isContainer = true;

      # `codchi exec` runs in the machine user's session: its systemd manager, /run/user/<uid>,
      # the session bus, user units and XDG autostart must exist from boot, not only at login.
      users.users.${cfg.user}.linger = true;

      # The machine has no store of its own: /nix/store, the db and the daemon socket are the
      # store container's (bind mounts), so Nix runs as a client of that daemon.
      environment.variables.NIX_REMOTE = "daemon";
      systemd.services.nix-daemon.enable = false;
      systemd.sockets.nix-daemon.enable = false;
      nix.gc.automatic = lib.mkForce false;
      nix.optimise.automatic = lib.mkForce false;
      nix.settings.auto-optimise-store = lib.mkForce false;

      # The host writes the machine's name and other plain values into the env file; the
      # container's own host name is left to LXD / WSL.
      networking.hostName = lib.mkDefault "";

      # A development machine: servers in it are reachable from the host.
      networking.firewall.enable = lib.mkDefault false;

      # No console to drop into, and no cgroup pressure information for systemd-oomd.
      systemd.enableEmergencyMode = false;
      systemd.oomd.enable = false;

      # Logs of codchi's own units, visible to the host (LXD: a host folder).
      systemd.tmpfiles.rules = [ "d ${contract.logDir} 0755 root root -" ];
    })
  ];
}
