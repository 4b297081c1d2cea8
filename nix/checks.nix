# `nix flake check`: nixosModules.default evaluates standalone, every driver evaluates, and the
# Nix files are formatted.
{ self, nixpkgs, system, pkgs }:
let
  inherit (nixpkgs) lib;
  base = {
    boot.isContainer = true;
    nixpkgs.hostPlatform = system;
    system.stateVersion = "25.05";
  };
  # A plain NixOS system (driver "none") needs a root file system and a boot loader.
  hardware = {
    fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
    boot.loader.grub.device = "nodev";
  };
  machine = driver: (self.lib.codeMachine {
    inherit driver system;
    modules = [
      {
        codchi.secrets.env.EXAMPLE_TOKEN.description = "a check secret";
        codchi.initScript = "echo hello";
      }
    ] ++ lib.optional (driver == "none") hardware;
  }).config;
in
{
  # nixosModules.default on its own, as a standalone/VM flake uses it (driver "none").
  standalone-evaluates =
    let
      cfg = (nixpkgs.lib.nixosSystem {
        modules = [ base hardware self.nixosModules.default { boot.isContainer = lib.mkForce false; } ];
      }).config;
    in
    assert lib.assertMsg (cfg.codchi.driver.name == "none") "the default driver is not none";
    pkgs.runCommand "codchi-standalone-evaluates" { drv = cfg.system.build.toplevel.drvPath; } "touch $out";

  drivers-evaluate =
    let
      secrets = map (d: (machine d).codchi.internal.declaredSecrets) [ "lxd" "wsl" "none" ];
      expected = [{ name = "EXAMPLE_TOKEN"; description = "a check secret"; }];
    in
    assert lib.assertMsg (lib.all (s: s == expected) secrets) "declaredSecrets is wrong";
    pkgs.runCommand "codchi-drivers-evaluate"
      {
        lxd = (machine "lxd").system.build.toplevel.drvPath;
        wsl = (machine "wsl").system.build.toplevel.drvPath;
        none = (machine "none").system.build.toplevel.drvPath;
      } "touch $out";

  formatting = pkgs.runCommand "codchi-nix-formatting" { nativeBuildInputs = [ pkgs.nixpkgs-fmt ]; } ''
    cd ${self}
    nixpkgs-fmt --check $(find . -name '*.nix' | sort)
    touch $out
  '';
}
