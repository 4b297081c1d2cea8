# codchi.secrets.env.<NAME>: secrets the machine needs. codchi asks the user for each value, keeps
# it in the host's keychain and hands it in at every start as CODCHI_<NAME> (`:`, `.` and `-`
# become `_`), visible in every shell and to every service.
{ config, lib, ... }:
let
  inherit (lib) types mkOption;
  cfg = config.codchi.secrets;
  variable = name: "CODCHI_" + lib.replaceStrings [ ":" "." "-" ] [ "_" "_" "_" ] name;
  declared = lib.sort (a: b: a.name < b.name)
    (lib.mapAttrsToList (_: s: { inherit (s) name description; }) cfg.env);
  byVariable = lib.groupBy (s: variable s.name) declared;
  clashes = lib.filterAttrs (_: l: lib.length l > 1) byVariable;
in
{
  options.codchi.secrets.env = mkOption {
    type = types.attrsOf (types.submodule ({ name, ... }: {
      options = {
        name = mkOption {
          type = types.strMatching "^[a-zA-Z0-9:_.-]+$";
          default = name;
          description = ''
            The secret's name; it appears in the machine as the environment variable
            `CODCHI_<name>` (with `:`, `.` and `-` written as `_`).
          '';
        };
        description = mkOption {
          type = types.lines;
          default = "";
          description = ''
            Shown to the user when codchi asks for the value. Descriptions of one secret in
            several modules are joined as lines (as in Codchi).
          '';
        };
      };
    }));
    default = { };
    example = lib.literalExpression ''
      {
        GITHUB_TOKEN.description = "A GitHub token with read access to acme's packages";
      }
    '';
    description = ''
      Secrets this machine needs. The values are stored on the host (never in the Nix store)
      and appear in every shell and service of the machine as `CODCHI_<NAME>`.
    '';
  };

  options.codchi.internal.declaredSecrets = mkOption {
    type = types.listOf (types.attrsOf types.str);
    internal = true;
    readOnly = true;
    description = ''
      The declared secrets as a sorted list of `{ name, description }`, for the host:
      `nix eval --json <flake>#nixosConfigurations.default.config.codchi.internal.declaredSecrets`.
    '';
  };

  config = {
    codchi.internal.declaredSecrets = declared;
    assertions = [{
      assertion = clashes == { };
      message = "codchi.secrets.env: these secrets share an environment variable: "
        + lib.concatStringsSep "; " (lib.mapAttrsToList
        (v: l: "${v} <- ${lib.concatMapStringsSep ", " (s: s.name) l}")
        clashes);
    }];
  };
}
