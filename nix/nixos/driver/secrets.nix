# How the env file written by the host reaches shells and services.
#
# The host writes /etc/codchi-env (NAME='value' lines plus an `export` line; src/secrets) and, for
# fish, /etc/codchi-env.fish. Every shell sources it; codchi-env.service copies its variables into
# systemd's manager environment, so every service started afterwards (and every user manager)
# sees them. A path unit re-runs it when the host rewrites the file.
{ config, lib, pkgs, ... }:
let
  inContainer = config.codchi.driver.name != "none";
  user = config.codchi.driver.user;
  load = pkgs.writeShellScript "codchi-env-load" ''
    set -eu
    [ -r /etc/codchi-env ] || exit 0
    # Only CODCHI_ variables, and only those the file sets: start from an empty environment.
    names="$(env -i ${pkgs.bash}/bin/bash -c 'set -a; . /etc/codchi-env; compgen -e' | grep '^CODCHI_' || true)"
    [ -n "$names" ] || exit 0
    set -a
    . /etc/codchi-env
    set +a
    # shellcheck disable=SC2086
    ${config.systemd.package}/bin/systemctl import-environment $names
  '';
in
{
  config = lib.mkIf inContainer {
    environment.extraInit = ''
      if [ -r /etc/codchi-env ]; then
        set -a
        . /etc/codchi-env
        set +a
      fi
    '';
    programs.fish.shellInit = ''
      if test -r /etc/codchi-env.fish
        source /etc/codchi-env.fish
      end
    '';

    systemd.services.codchi-env = {
      description = "Export codchi's environment (secrets) to services";
      wantedBy = [ "sysinit.target" ];
      before = [ "sysinit.target" "systemd-user-sessions.service" ];
      after = [ "local-fs.target" ];
      unitConfig.DefaultDependencies = false;
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = load;
        # The next start waits for a fresh file (nix/container/machine/init.sh).
        ExecStop = "${pkgs.coreutils}/bin/rm -f /etc/codchi-env /etc/codchi-env.fish";
      };
    };
    systemd.paths.codchi-env = {
      description = "Watch codchi's env file";
      wantedBy = [ "multi-user.target" ];
      pathConfig = {
        PathChanged = "/etc/codchi-env";
        Unit = "codchi-env-reload.service";
      };
    };
    systemd.services.codchi-env-reload = {
      description = "Re-export codchi's environment after the host rewrote it";
      serviceConfig = {
        Type = "oneshot";
        ExecStart = load;
      };
    };

    # Root and the machine user only.
    systemd.tmpfiles.rules = [
      "z /etc/codchi-env 0600 ${user} root -"
      "z /etc/codchi-env.fish 0600 ${user} root -"
    ];
  };
}
