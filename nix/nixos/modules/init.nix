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
      A shell script run once, as the machine user in their home, after the machine's first
      build (e.g. to clone repositories). Definitions in several modules are joined as lines.
      Its output goes to the machine's init log (`/var/log/codchi/init.log`), after the welcome
      text. `codchi init --dont-run-init` skips it.
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
        The welcome shown once when the machine is created (first line of its init log, and by
        the `codchi-welcome` command). Setting it replaces codchi's default text. Plain text;
        `$CODCHI_MACHINE_NAME` is replaced by the machine's name.
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
