# codchi.initScript: run once, as the machine user, in the user's home, after the first build.
# A marker in the home (which outlives rebuilds and restarts) records that it ran; codchi
# creates the marker itself for `codchi init --dont-run-init`.
{ config, lib, pkgs, ... }:
let
  cfg = config.codchi;
  user = config.codchi.driver.user;
  home = config.users.users.${user}.home;
  marker = "${home}/.local/state/codchi/init-done";
  script = pkgs.writeShellScript "codchi-init-script" cfg.initScript;
in
{
  config = lib.mkIf (config.codchi.driver.name != "none" && cfg.initScript != "") {
    systemd.services.codchi-init = {
      description = "codchi: the machine's init script (once)";
      wantedBy = [ "multi-user.target" ];
      after = [ "network-online.target" "codchi-env.service" ];
      wants = [ "network-online.target" ];
      unitConfig.ConditionPathExists = "!${marker}";
      path = [ config.nix.package pkgs.git pkgs.coreutils pkgs.bash ];
      environment.NIX_REMOTE = "daemon";
      serviceConfig = {
        Type = "oneshot";
        User = user;
        WorkingDirectory = home;
        StandardOutput = "append:/var/log/codchi/init.log";
        StandardError = "append:/var/log/codchi/init.log";
      };
      script = ''
        set -eu
        # shellcheck disable=SC1091
        [ -r /etc/codchi-env ] && { set -a; . /etc/codchi-env; set +a; } || true
        ${script}
        mkdir -p "$(dirname ${lib.escapeShellArg marker})"
        touch ${lib.escapeShellArg marker}
      '';
    };
    system.build.codchiInitScript = script;
  };
}
