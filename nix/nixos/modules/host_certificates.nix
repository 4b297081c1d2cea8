# codchi.hostCertificates.enable: trust the host's certificate authorities (e.g. a company's
# TLS-inspecting proxy). The host driver hands its CA bundle in (contract `hostCaFile`); at boot
# and whenever that file changes it is appended to NixOS's own bundle, which the system, curl,
# git, Nix and Node.js then use.
{ config, lib, pkgs, ... }:
let
  contract = import ../../contract.nix;
  cfg = config.codchi.hostCertificates;
  hostPem = contract.hostCaFile;
  combined = "${dirOf hostPem}/ca-bundle.crt";
  nixosBundle = (pkgs.cacert.override {
    blacklist = config.security.pki.caCertificateBlacklist;
    extraCertificateFiles = config.security.pki.certificateFiles;
    extraCertificateStrings = config.security.pki.certificates;
  }) + "/etc/ssl/certs/ca-bundle.crt";
  assemble = pkgs.writeShellScript "codchi-host-ca" ''
    set -eu
    mkdir -p ${dirOf combined}
    tmp="$(mktemp ${combined}.XXXXXX)"
    cat ${nixosBundle} > "$tmp"
    if [ -r ${hostPem} ]; then
      printf '\n# The host'"'"'s certificate authorities (codchi)\n' >> "$tmp"
      cat ${hostPem} >> "$tmp"
    fi
    chmod 0644 "$tmp"
    mv -f "$tmp" ${combined}
  '';
in
{
  options.codchi.hostCertificates.enable = lib.mkEnableOption ''
    trusting the host's certificate authorities, handed in by codchi at ${hostPem}
    (on by default in a codchi machine, off with driver "none")'' // {
    default = config.codchi.driver.name != "none";
    defaultText = lib.literalExpression ''config.codchi.driver.name != "none"'';
  };

  config = lib.mkIf cfg.enable {
    environment.etc."ssl/certs/ca-certificates.crt".source = lib.mkForce combined;
    environment.etc."ssl/certs/ca-bundle.crt".source = lib.mkForce combined;
    environment.etc."pki/tls/certs/ca-bundle.crt".source = lib.mkForce combined;
    environment.variables.NODE_EXTRA_CA_CERTS = hostPem;
    nix.settings.ssl-cert-file = combined;

    systemd.services.codchi-host-ca = {
      description = "codchi: trust the host's certificate authorities";
      wantedBy = [ "sysinit.target" ];
      before = [ "sysinit.target" "network-pre.target" ];
      after = [ "local-fs.target" ];
      unitConfig.DefaultDependencies = false;
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = assemble;
      };
    };
    systemd.paths.codchi-host-ca = {
      description = "codchi: watch the host's certificate authorities";
      wantedBy = [ "multi-user.target" ];
      pathConfig = {
        PathChanged = hostPem;
        Unit = "codchi-host-ca-reload.service";
      };
    };
    systemd.services.codchi-host-ca-reload = {
      description = "codchi: re-read the host's certificate authorities";
      serviceConfig = {
        Type = "oneshot";
        ExecStart = assemble;
      };
    };
  };
}
