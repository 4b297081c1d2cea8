{
  description = "codchi: any NixOS module as a code machine on LXD (Linux) or WSL (Windows)";

  # Pinned by revision (nixos-25.05, 2025-09-20): every machine built with this driver gets the
  # same nixpkgs; the store locks it (narHash) on the user's first build.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/b2a3852bd078e68dd2b3dfa8c00c67af1f0a7d20";

  outputs = { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});
    in
    {
      lib = {
        # A NixOS system for one code machine. `driver` is "lxd", "wsl" or "none" (plain NixOS,
        # for exports); `nixpkgs` is a nixpkgs flake (codchi's own by default); `modules` are
        # ordinary NixOS modules.
        codeMachine =
          { driver
          , system
          , nixpkgs ? self.inputs.nixpkgs
          , modules ? [ ]
          , specialArgs ? { }
          }:
            assert lib.assertOneOf "codchi driver" driver [ "lxd" "wsl" "none" ];
            nixpkgs.lib.nixosSystem {
              inherit specialArgs;
              modules = [
                self.nixosModules.driver
                {
                  codchi.driver.name = driver;
                  nixpkgs.hostPlatform = nixpkgs.lib.mkDefault system;
                }
              ] ++ modules;
            };

        # The systems the images and checks are built for.
        inherit systems;
      };

      # All three are the full module (driver and codchi.* options), imported by path inside, so
      # a configuration importing several gets each module once. Standalone (a VM, the flake of
      # `codchi tar`): import `default` and keep `codchi.driver.name = "none"` (the default).
      nixosModules = {
        default = { imports = [ ./nixos/driver ]; };
        codchi = { imports = [ ./nixos/driver ]; };
        driver = { imports = [ ./nixos/driver ]; };
      };

      packages = forAllSystems (system: pkgs:
        let
          images = import ./container { inherit pkgs; version = self.shortRev or self.dirtyShortRev or "dev"; };
        in
        {
          inherit (images) store-lxd store-wsl machine-lxd machine-wsl;
        });

      checks = forAllSystems (system: pkgs: import ./checks.nix { inherit self nixpkgs system pkgs; });

      formatter = forAllSystems (system: pkgs: pkgs.nixpkgs-fmt);
    };
}
