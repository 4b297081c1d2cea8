# Evaluates codchi's NixOS module (the flake's nixosModules.default) with nixpkgs' real module
# system (`lib.evalModules`), the stand-in NixOS options (nixos_stubs.nix) and packages
# (pkgs_stub.nix), plus `modules`; returns what the tests check, as JSON-able values.
#   nix-instantiate --eval --strict --json eval.nix --arg libPath <nixpkgs-lib>/lib --argstr driver lxd
{ libPath
, driver ? null # null: leave codchi.driver.name at its default
, modules ? [ ]
, moduleFiles ? [ ] # paths (strings) of extra modules, e.g. the Codchi-style cases
}:
let
  lib = import libPath;
  pkgs = import ./pkgs_stub.nix;
  flake = import ../../../nix/flake.nix;
  outputs = flake.outputs { self = outputs; nixpkgs = { inherit lib; }; };
  evaluated = lib.evalModules {
    modules = [
      ./nixos_stubs.nix
      { _module.args.pkgs = pkgs; _stub.pkgs = pkgs; }
      outputs.nixosModules.default
    ]
    ++ lib.optional (driver != null) { codchi.driver.name = driver; }
    ++ map (f: /. + f) moduleFiles
    ++ modules;
  };
  cfg = evaluated.config;
  contract = import ../../../nix/contract.nix;
  user = cfg.users.users.${contract.user.name};
  textOf = v: if builtins.isAttrs v && v ? text then v.text else null;
  unit = u: {
    inherit (u) enable wantedBy after before;
    unitConfig = u.unitConfig;
    serviceConfig = lib.mapAttrs (_: v: if lib.isDerivation v then { script = textOf v; } else v) (u.serviceConfig or { });
    pathConfig = u.pathConfig or { };
    script = u.script or "";
  };
  # Every option codchi declares (internal ones left out), with its type and default as evaluated.
  docOptions = lib.filter (o: o.visible && !o.internal)
    (lib.optionAttrSetToDocList (builtins.removeAttrs evaluated.options [ "_module" ]));
  ours = o: lib.hasPrefix "codchi." o.name || o.name == "programs.java.packages";
  showDefault = o:
    if o ? default then (o.default.text or (builtins.toJSON o.default)) else null;
in
{
  failedAssertions = map (a: a.message) (lib.filter (a: !a.assertion) cfg.assertions);
  warnings = cfg.warnings;
  driver = cfg.codchi.driver.name;
  user = {
    inherit (user) name uid group home extraGroups linger isNormalUser;
  };
  firewall = cfg.networking.firewall.enable;
  emergencyMode = cfg.systemd.enableEmergencyMode;
  oomd = cfg.systemd.oomd.enable;
  isContainer = cfg.boot.isContainer;
  services = lib.mapAttrs (_: unit) (lib.filterAttrs (_: u: u.enable) cfg.systemd.services);
  disabledServices = lib.attrNames (lib.filterAttrs (_: u: !u.enable) cfg.systemd.services);
  paths = lib.mapAttrs (_: unit) cfg.systemd.paths;
  timers = lib.mapAttrs (_: t: { inherit (t) enable wantedBy timerConfig; }) cfg.systemd.timers;
  systemdPackages = map (p: { inherit (p) name; destination = p.destination or ""; text = p.text or ""; }) cfg.systemd.packages;
  userManagerConfig = cfg.systemd.user.extraConfig;
  extraInit = cfg.environment.extraInit;
  sessionVariables = cfg.environment.sessionVariables;
  fishInit = cfg.programs.fish.shellInit;
  tmpfiles = cfg.systemd.tmpfiles.rules;
  activationScripts = lib.mapAttrs (_: v: if builtins.isString v then v else v.text) cfg.system.activationScripts;
  declaredSecrets = cfg.codchi.internal.declaredSecrets;
  initScript = cfg.codchi.initScript;
  welcome = textOf (cfg.system.build.codchiWelcome or null);
  codchiInit = textOf (cfg.system.build.codchiInit or null);
  systemPackages = map (p: p.name) cfg.environment.systemPackages;
  etc = lib.mapAttrs (_: e: { inherit (e) enable; source = if e.source == null then null else toString e.source; text = e.text; }) cfg.environment.etc;
  nvidiaToolkit = {
    inherit (cfg.hardware.nvidia-container-toolkit) enable mount-nvidia-executables suppressNvidiaDriverAssertion discovery-mode;
  };
  graphics = cfg.hardware.graphics.enable;
  docker = cfg.virtualisation.docker.enable;
  keyring = cfg.services.gnome.gnome-keyring.enable;
  recommended = cfg.codchi.enableRecommendedConfig;
  javaPackages = lib.mapAttrs (_: p: p.name) cfg.programs.java.packages;
  options = map
    (o: {
      inherit (o) name type;
      description = o.description or "";
      default = showDefault o;
      example = if o ? example then (o.example.text or (builtins.toJSON o.example)) else null;
    })
    (lib.filter ours docOptions);
}
