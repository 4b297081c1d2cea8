# The welcome and codchi.initScript: run once, as the machine user, in the user's home, after the
# first build. A marker in the home (which outlives rebuilds and restarts; contract
# `initDoneMarker`) records that it ran; codchi creates the marker itself for
# `codchi init --dont-run-init`.
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
  welcome = pkgs.writeShellScriptBin "codchi-welcome" ''
    name="$(${pkgs.gnused}/bin/sed -n "s/^CODCHI_MACHINE_NAME='\\(.*\\)'$/\\1/p" ${contract.envFile} 2>/dev/null | head -n 1)"
    ${pkgs.gnused}/bin/sed "s|\\\$CODCHI_MACHINE_NAME|''${name:-$CODCHI_MACHINE_NAME}|g" <<'CODCHI_WELCOME'
    ${welcomeText}
    CODCHI_WELCOME
  '';
  script = pkgs.writeShellScript "codchi-init-script" cfg.initScript;
in
{
  config = lib.mkMerge [
    { environment.systemPackages = [ welcome ]; }
    (lib.mkIf (config.codchi.driver.name != "none") {
      systemd.services.${lib.removeSuffix ".service" contract.units.init} = {
        description = "codchi: the machine's welcome and init script (once)";
        wantedBy = [ "multi-user.target" ];
        after = [ "network-online.target" contract.units.env ];
        wants = [ "network-online.target" ];
        unitConfig.ConditionPathExists = "!${marker}";
        path = [ config.nix.package pkgs.git pkgs.coreutils pkgs.bash ];
        environment.NIX_REMOTE = "daemon";
        serviceConfig = {
          Type = "oneshot";
          User = user;
          WorkingDirectory = home;
          StandardOutput = "append:${contract.logDir}/init.log";
          StandardError = "append:${contract.logDir}/init.log";
        };
        script = ''
          set -eu
          ${welcome}/bin/codchi-welcome
          # shellcheck disable=SC1091
          [ -r ${contract.envFile} ] && { set -a; . ${contract.envFile}; set +a; } || true
          ${script}
          mkdir -p "$(dirname ${lib.escapeShellArg marker})"
          touch ${lib.escapeShellArg marker}
        '';
      };
      system.build.codchiInitScript = script;
      system.build.codchiWelcome = welcome;
    })
  ];
}
