# Services and the host's Windows PATH (WSL). Login shells append it (windows_path.sh); services
# run no login shell: systemd hands them `CODCHI_WINDOWS_PATH` (the env file's CODCHI_ variables
# are imported into its manager, nix/nixos/driver/secrets.nix) but NixOS sets each service's PATH
# itself. A service named in `windowsPathServices` gets the same code at the top of its `script`
# (and starts after the import); any other command can be run through `windowsPathWrapper`.
{ config, lib, pkgs, ... }:
let
  contract = import ../../../contract.nix;
  cfg = config.codchi.driver.wsl;
  windowsPath = builtins.replaceStrings [ "@windowsPathVar@" ] [ contract.windowsPathVar ]
    (builtins.readFile ./windows_path.sh);
  wrapper = pkgs.writeShellScript "codchi-windows-path" ''
    ${windowsPath}
    exec "$@"
  '';
  isWsl = config.codchi.driver.name == "wsl";
in
{
  options.codchi.driver.wsl = {
    windowsPathServices = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "open-reports" ];
      description = ''
        WSL only: systemd services (defined with `script`) whose PATH gets the host's Windows
        PATH appended, after NixOS's, as login shells do, so they find `explorer.exe`, `clip.exe`,
        `code` and the like. They start after codchi's env file is imported into systemd.
        A service with `ExecStart` instead runs its command through `windowsPathWrapper`.
      '';
    };
    windowsPathWrapper = lib.mkOption {
      type = lib.types.path;
      readOnly = true;
      default = wrapper;
      defaultText = lib.literalExpression "codchi-windows-path";
      description = ''
        A program that runs its arguments with the host's Windows PATH appended to PATH (WSL; on
        other drivers the variable is unset and it only runs them), for an `ExecStart` such as
        `"''${config.codchi.driver.wsl.windowsPathWrapper} ''${pkgs.foo}/bin/foo"`.
      '';
    };
  };

  config = lib.mkIf isWsl {
    systemd.services = lib.genAttrs cfg.windowsPathServices (_: {
      script = lib.mkBefore windowsPath;
      after = [ contract.units.env ];
      wants = [ contract.units.env ];
    });
    assertions = map
      (n: {
        assertion = lib.trim config.systemd.services.${n}.script != lib.trim windowsPath;
        message = "codchi.driver.wsl.windowsPathServices: service ${n} has no `script` to add "
          + "the Windows PATH to; run its ExecStart through codchi.driver.wsl.windowsPathWrapper.";
      })
      cfg.windowsPathServices;
  };
}
