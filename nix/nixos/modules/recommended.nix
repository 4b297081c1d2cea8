# codchi.enableRecommendedConfig: sensible defaults for a development machine. Every setting is
# a default, so the machine's own modules win. On by default, as in Codchi.
{ config, lib, pkgs, options, ... }:
let
  inherit (lib) mkDefault;
in
{
  options.codchi.enableRecommendedConfig = lib.mkEnableOption ''
    codchi's recommended settings for a development machine: git, direnv with nix-direnv,
    nix-ld (for VS Code Remote and other downloaded binaries), a keyring, common command-line
    tools and fonts'' // { default = true; };

  config = lib.mkIf config.codchi.enableRecommendedConfig (lib.mkMerge [
    {
      codchi.keyring.enable = mkDefault true;
      programs.git.enable = mkDefault true;
      programs.direnv.enable = mkDefault true;
      programs.nix-ld.enable = mkDefault true;
      # Needs a channel, which flake-based machines do not have.
      programs.command-not-found.enable = mkDefault false;
      nix.settings.keep-outputs = mkDefault true;
      nix.settings.keep-derivations = mkDefault true;
      environment.systemPackages = with pkgs; [
        curl
        wget
        file
        htop
        jq
        lsof
        ripgrep
        tree
        unzip
        zip
        vim
      ];
      xdg.mime.enable = mkDefault true;
    }
    (if options ? fonts && options.fonts ? enableDefaultPackages
    then { fonts.enableDefaultPackages = mkDefault true; }
    else { fonts.enableDefaultFonts = mkDefault true; })
  ]);
}
