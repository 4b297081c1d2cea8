# The welcome and codchi.initScript, as the `codchi-init` command (contract `commands.init`):
# `codchi init` / `codchi clone` run it once, visibly, as the machine user in the user's terminal
# (unless -n); inside the machine it runs again on demand. A marker in the home (contract
# `initDoneMarker`) records that it ran; codchi writes it itself for `--dont-run-init`.
{ config, lib, pkgs, ... }:
let
  contract = import ../../contract.nix;
  cfg = config.codchi;
  user = config.codchi.driver.user;
  home = config.users.users.${user}.home;
  marker = "${home}/${contract.initDoneMarker}";
  welcomeText = lib.concatStringsSep "\n" (lib.filter (s: s != "") [
    (lib.removeSuffix "\n" cfg.welcome.text)
    (lib.removeSuffix "\n" cfg.welcome.extraText)
  ]);
  # Plain text: only $CODCHI_MACHINE_NAME is replaced (with the name from the env file).
  welcome = pkgs.writeShellScriptBin contract.commands.welcome ''
    name="$(${pkgs.gnused}/bin/sed -n "s/^CODCHI_MACHINE_NAME='\\(.*\\)'$/\\1/p" ${contract.envFile} 2>/dev/null | head -n 1)"
    ${pkgs.gnused}/bin/sed "s|\\\$CODCHI_MACHINE_NAME|''${name:-$CODCHI_MACHINE_NAME}|g" <<'CODCHI_WELCOME'
    ${welcomeText}
    CODCHI_WELCOME
  '';
  script = pkgs.writeShellScript "codchi-init-script" cfg.initScript;
  # `codchi-init`: the welcome, then the init script; the body is the shared ./codchi-init.sh
  # (the test bed's stand-in image wraps the same file).
  codchiInit = pkgs.writeShellScriptBin contract.commands.init ''
    export CODCHI_INIT_SCRIPT=${script}
    export CODCHI_INIT_WELCOME=${welcome}/bin/${contract.commands.welcome}
    export CODCHI_INIT_MARKER=${lib.escapeShellArg marker}
    ${builtins.readFile ./codchi-init.sh}
  '';
in
{
  config = {
    environment.systemPackages = [ welcome codchiInit ];
    system.build.codchiInitScript = script;
    system.build.codchiWelcome = welcome;
    system.build.codchiInit = codchiInit;
  };
}
