{
  description = "codchi test driver: lib.codeMachine building a tiny stand-in system without nixpkgs";

  outputs = { self }: {
    # Same call shape as codchi's real driver flake.
    lib.codeMachine = args: import ./machine.nix args;
    # A module the generated flakes may import; harmless here.
    nixosModules.default = { ... }: { };
    nixosModules.codchi = { ... }: { };
  };
}
