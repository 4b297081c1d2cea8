# codchi.initScript and codchi.welcome: what a new machine runs and says once, after its first
# build. Both Codchi generations' options evaluate: `codchi.initScript` (newer) and
# `codchi.welcome.text` / `codchi.welcome.extraText` (older, named in the design note).
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.codchi.initScript = mkOption {
    type = types.lines;
    default = "";
    example = ''
      git clone https://github.com/acme/app ~/app
    '';
    description = ''
      A shell script (bash) that `codchi init` and `codchi clone` run once the machine is built,
      as the machine user in their home, in the user's terminal after the welcome text, and
      report its exit code (e.g. to clone repositories). `codchi-init` inside the machine runs
      it again. Definitions in several modules are joined as lines. `--dont-run-init` skips it.
    '';
  };

  options.codchi.welcome = {
    text = mkOption {
      type = types.lines;
      default = ''
        Welcome to your new code machine $CODCHI_MACHINE_NAME!
        Run `codchi exec $CODCHI_MACHINE_NAME` for a shell, `codchi --help` for everything else.
      '';
      description = ''
        The welcome shown in the user's terminal when the machine is created (before the init
        script; `codchi-init` and `codchi-welcome` show it again). Setting it replaces codchi's
        default text. Plain text; `$CODCHI_MACHINE_NAME` is replaced by the machine's name.
      '';
    };
    extraText = mkOption {
      type = types.lines;
      default = "";
      example = "Run `make setup` in ~/app to get started.";
      description = ''
        Text added below the welcome (definitions in several modules are joined as lines).
      '';
    };
  };
}
