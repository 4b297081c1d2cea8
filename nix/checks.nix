# `nix flake check`: importing codchi's options without enabling anything changes nothing, every
# driver evaluates, and the Nix files are formatted.
{ self, nixpkgs, system, pkgs }:
let
  inherit (nixpkgs) lib;
  base = {
    boot.isContainer = true;
    nixpkgs.hostPlatform = system;
    system.stateVersion = "25.05";
  };
  toplevel = modules: (nixpkgs.lib.nixosSystem { inherit modules; }).config.system.build.toplevel;
  plain = toplevel [ base ];
  withOptions = toplevel [ base self.nixosModules.default ];
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
  sameDrv = a: b: builtins.unsafeDiscardStringContext a.drvPath == builtins.unsafeDiscardStringContext b.drvPath;
in
{
  options-change-nothing =
    assert lib.assertMsg (sameDrv plain withOptions)
      "importing nixosModules.default without enabling anything changed the system";
    pkgs.runCommand "codchi-options-change-nothing" { } "touch $out";

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
