# The machine driver: bridges a hardware-agnostic NixOS configuration to a codchi container
# (LXD or WSL), or to nothing at all (driver "none": a plain NixOS system, for exports).
{ config, lib, pkgs, ... }:
let
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
      internal = true;
      description = "Which container the machine runs in; set by `codchi_driver.lib.codeMachine`.";
    };
    user = lib.mkOption {
      type = lib.types.str;
      default = "codchi";
      internal = true;
      readOnly = true;
      description = "The machine's user (uid 1000), as which `codchi exec` runs commands.";
    };
  };

  config = lib.mkMerge [
    {
      system.stateVersion = lib.mkDefault lib.trivial.release;

      users.users.${cfg.user} = {
        isNormalUser = true;
        uid = 1000;
        home = "/home/${cfg.user}";
        extraGroups = [ "wheel" ];
        description = "codchi";
      };
      security.sudo.wheelNeedsPassword = lib.mkDefault false;
      nix.settings.experimental-features = [ "nix-command" "flakes" ];
      nix.settings.trusted-users = [ "root" cfg.user ];
    }

    (lib.mkIf inContainer {
      boot.isContainer = true;

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

      # Logs of codchi's own units, visible to the host through /var/log/codchi.
      systemd.tmpfiles.rules = [ "d /var/log/codchi 0755 root root -" ];

    })
  ];
}
