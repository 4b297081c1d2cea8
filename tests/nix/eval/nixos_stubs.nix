# Stand-in declarations of exactly the NixOS options codchi's modules (nix/nixos) set or read,
# typed as NixOS declares them (nixos/modules/…: `lines` for scripts, lists for lists,
# submodules for users, units and /etc entries). No freeform or catch-all: a module that sets an
# option declared nowhere here fails to evaluate, as it would fail in NixOS if the option did not
# exist. Behaviour of NixOS that codchi relies on (assertions it must satisfy) is copied as
# assertions below, each naming the NixOS module it comes from.
{ lib, config, ... }:
let
  inherit (lib) mkOption types;
  opt = type: default: mkOption { inherit type default; };
  str = types.str;
  strList = types.listOf types.str;
  bool = types.bool;
  # nixos/lib/systemd-types.nix: unitOption (scalars, paths, packages, or lists of them).
  scalar = types.oneOf [ types.bool types.int types.str types.path types.package ];
  unitOption = types.either scalar (types.listOf scalar);
  unitSection = types.attrsOf unitOption;
  commonUnit = {
    enable = opt bool true;
    description = opt str "";
    wantedBy = opt strList [ ];
    requiredBy = opt strList [ ];
    before = opt strList [ ];
    after = opt strList [ ];
    wants = opt strList [ ];
    requires = opt strList [ ];
    unitConfig = opt unitSection { };
  };
  service = types.submodule {
    options = commonUnit // {
      serviceConfig = opt unitSection { };
      environment = opt (types.attrsOf (types.nullOr (types.oneOf [ types.str types.path types.package ]))) { };
      path = opt (types.listOf (types.either types.package types.str)) [ ];
      script = opt types.lines "";
    };
  };
  pathUnit = types.submodule { options = commonUnit // { pathConfig = opt unitSection { }; }; };
  socketUnit = types.submodule { options = commonUnit // { socketConfig = opt unitSection { }; }; };
  timerUnit = types.submodule { options = commonUnit // { timerConfig = opt unitSection { }; }; };
  network = types.submodule {
    options = {
      matchConfig = opt unitSection { };
      networkConfig = opt unitSection { };
      linkConfig = opt unitSection { };
    };
  };
  user = types.submodule ({ name, ... }: {
    options = {
      name = opt str name;
      isNormalUser = opt bool false;
      isSystemUser = opt bool false;
      uid = opt (types.nullOr types.int) null;
      group = opt str "";
      home = opt types.path "/var/empty";
      createHome = opt bool false;
      extraGroups = opt strList [ ];
      description = opt (types.passwdEntry types.str) "";
      # nixos/modules/config/users-groups.nix (NixOS 23.11 and later).
      linger = opt bool false;
      packages = opt (types.listOf types.package) [ ];
    };
  });
  etcFile = types.submodule ({ name, ... }: {
    options = {
      enable = opt bool true;
      target = opt str name;
      text = opt (types.nullOr types.lines) null;
      source = opt (types.nullOr (types.either types.path types.str)) null;
      mode = opt str "symlink";
    };
  });
  binfmt = types.submodule {
    options = {
      magicOrExtension = opt str "";
      interpreter = opt str "";
      fixBinary = opt bool false;
      wrapInterpreterInShell = opt bool true;
      preserveArgvZero = opt bool false;
    };
  };
  enable = opt bool false;
  enableOn = opt bool true;
in
{
  options = {
    # nixos/modules/misc/assertions.nix
    assertions = opt (types.listOf types.unspecified) [ ];
    warnings = opt (types.listOf types.str) [ ];

    system.stateVersion = opt str "25.05";
    system.build = opt (types.lazyAttrsOf types.unspecified) { };
    system.extraSystemBuilderCmds = opt types.lines "";
    system.activationScripts = opt (types.attrsOf (types.either types.str (types.submodule {
      options = { text = opt types.lines ""; deps = opt strList [ ]; };
    }))) { };

    boot.isContainer = enable;
    boot.binfmt.registrations = opt (types.attrsOf binfmt) { };

    users.users = opt (types.attrsOf user) { };
    security.sudo.wheelNeedsPassword = enableOn;
    security.pam.services = opt (types.attrsOf (types.submodule {
      options.enableGnomeKeyring = enable;
    })) { };
    security.pki = {
      caCertificateBlacklist = opt strList [ ];
      certificateFiles = opt (types.listOf types.path) [ ];
      certificates = opt strList [ ];
    };

    nix.package = opt types.package config._stub.pkgs.nix;
    nix.settings = opt (types.submodule {
      options = {
        experimental-features = opt strList [ ];
        trusted-users = opt strList [ "root" ];
        auto-optimise-store = enable;
        keep-outputs = enable;
        keep-derivations = enableOn;
        ssl-cert-file = opt (types.nullOr str) null;
      };
    }) { };
    nix.gc.automatic = enable;
    nix.optimise.automatic = enable;
    nixpkgs.config = opt (types.submodule { options.allowUnfree = enable; }) { };

    environment.variables = opt (types.attrsOf (types.either str (types.listOf str))) { };
    environment.sessionVariables = opt (types.attrsOf (types.either str (types.listOf str))) { };
    environment.extraInit = opt types.lines "";
    environment.systemPackages = opt (types.listOf types.package) [ ];
    environment.etc = opt (types.attrsOf etcFile) { };

    networking.hostName = opt str "nixos";
    networking.firewall.enable = enableOn;
    networking.useDHCP = enableOn;
    networking.useHostResolvConf = enable;
    networking.useNetworkd = enable;
    networking.dhcpcd.enable = enableOn;

    systemd.package = opt types.package config._stub.pkgs.systemd;
    systemd.services = opt (types.attrsOf service) { };
    systemd.paths = opt (types.attrsOf pathUnit) { };
    systemd.sockets = opt (types.attrsOf socketUnit) { };
    systemd.timers = opt (types.attrsOf timerUnit) { };
    systemd.network.networks = opt (types.attrsOf network) { };
    systemd.packages = opt (types.listOf types.package) [ ];
    systemd.suppressedSystemUnits = opt strList [ ];
    systemd.tmpfiles.rules = opt strList [ ];
    systemd.user.extraConfig = opt types.lines "";
    systemd.enableEmergencyMode = enableOn;
    systemd.oomd.enable = enableOn;

    programs.fish.shellInit = opt types.lines "";
    programs.git.enable = enable;
    programs.direnv.enable = enable;
    programs.nix-ld.enable = enable;
    programs.command-not-found.enable = enableOn;
    programs.seahorse.enable = enable;
    programs.java.enable = enable;
    programs.java.package = opt types.package config._stub.pkgs.jdk;

    services.gnome.gnome-keyring.enable = enable;
    services.dbus.packages = opt (types.listOf types.package) [ ];
    services.xserver.videoDrivers = opt strList [ "modesetting" "fbdev" ];

    hardware.graphics.enable = enable;
    hardware.nvidia.datacenter.enable = enable;
    # nixos/modules/services/hardware/nvidia-container-toolkit (NixOS 25.05).
    hardware.nvidia-container-toolkit = {
      enable = enable;
      mount-nvidia-executables = enableOn;
      suppressNvidiaDriverAssertion = enable;
      discovery-mode = opt (types.enum [ "auto" "csv" "nvml" "wsl" ]) "auto";
    };

    virtualisation.docker.enable = enable;

    fonts.enableDefaultPackages = enable;
    xdg.mime.enable = enableOn;
    xdg.mime.defaultApplications = opt (types.attrsOf (types.either str strList)) { };

    # Not NixOS: the stand-in package set, given to the modules as `pkgs`.
    _stub.pkgs = opt (types.lazyAttrsOf types.unspecified) { };
  };

  config.assertions = [
    # nixos/modules/services/hardware/nvidia-container-toolkit: the toolkit needs a NixOS NVIDIA
    # driver unless told that the driver comes from elsewhere.
    {
      assertion = config.hardware.nvidia-container-toolkit.enable
        -> (config.hardware.nvidia-container-toolkit.suppressNvidiaDriverAssertion
        || config.hardware.nvidia.datacenter.enable
        || lib.elem "nvidia" config.services.xserver.videoDrivers);
      message = "nvidia-container-toolkit requires nvidia drivers explicitly installed (stand-in of NixOS's assertion)";
    }
    # nixos/modules/config/users-groups.nix: a normal user has a group and a home.
    {
      assertion = lib.all (u: u.isNormalUser -> (u.group != "" && u.home != "/var/empty"))
        (lib.attrValues config.users.users);
      message = "users.users: a normal user needs users.users.<name>.group and a home";
    }
  ];
}
