# How the env file written by the host reaches shells and services.
#
# The host writes the env file (contract `envFile`: NAME='value' lines plus an `export` line;
# src/secrets/env_file.ts) before the machine starts and after each rebuild. Every POSIX shell
# sources it (fish lets `sh` parse it, so one file serves every shell); codchi-env.service copies
# its CODCHI_ variables into systemd's manager environment, so every service started afterwards
# (and the machine user's manager) sees them. A path unit re-runs it when the host rewrites it.
{ config, lib, pkgs, ... }:
let
  contract = import ../../contract.nix;
  envFile = contract.envFile;
  unitName = lib.removeSuffix ".service";
  inContainer = config.codchi.driver.name != "none";
  user = config.codchi.driver.user;
  proxyFile = contract.proxyFile;
  proxyNames = "http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY";
  load = pkgs.writeShellScript "codchi-env-load" ''
    set -eu
    # The host's proxy (opt-in, config.json `hostProxy`), for every service.
    if [ -r ${proxyFile} ]; then
      set -a
      . ${proxyFile}
      set +a
      for n in ${proxyNames}; do
        eval "v=\''${$n-}"
        [ -z "$v" ] || ${config.systemd.package}/bin/systemctl set-environment "$n=$v"
      done
    fi
    [ -r ${envFile} ] || exit 0
    # Only CODCHI_ variables, and only those the file sets: start from an empty environment.
    names="$(env -i ${pkgs.bash}/bin/bash -c 'set -a; . ${envFile}; compgen -e' | grep '^CODCHI_' || true)"
    [ -n "$names" ] || exit 0
    set -a
    . ${envFile}
    set +a
    # shellcheck disable=SC2086
    ${config.systemd.package}/bin/systemctl import-environment $names
  '';
in
{
  config = lib.mkIf inContainer {
    environment.extraInit = ''
      if [ -r ${proxyFile} ]; then
        set -a
        . ${proxyFile}
        set +a
      fi
      if [ -r ${envFile} ]; then
        set -a
        . ${envFile}
        set +a
      fi
    '';
    programs.fish.shellInit = ''
      if test -r ${envFile}
        sh -c '. "$1" && exec env -0' sh ${envFile} | while read -lz kv
          string match -q 'CODCHI_*' -- $kv; and set -gx (string split -m1 = -- $kv)
        end
      end
    '';

    systemd.services.${unitName contract.units.env} = {
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
        ExecStop = "${pkgs.coreutils}/bin/rm -f ${envFile}";
      };
    };
    systemd.paths.${lib.removeSuffix ".path" contract.units.envWatch} = {
      description = "Watch codchi's env file";
      wantedBy = [ "multi-user.target" ];
      pathConfig = {
        PathChanged = envFile;
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
    systemd.tmpfiles.rules = [ "z ${envFile} 0600 ${user} root -" ];
  };
}
