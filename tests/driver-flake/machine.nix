# lib.codeMachine of the test driver flake: evaluates the modules minimally and builds a tiny
# "system" with the store's /bin/sh (no nixpkgs): activate, bin/switch-to-configuration and
# sw/share/codchi/{applications,icons}.
{ driver ? "lxd", system ? "x86_64-linux", nixpkgs ? null, modules ? [ ], specialArgs ? { } }:
let
  lib = import ./lib.nix;
  merge = import ./merge.nix;

  defaults = {
    codchi = {
      apps = { };
      secrets.env = { };
      initScript = "";
      welcome = { text = ""; extraText = ""; };
      gpu.enable = false;
    };
    system.name = "codchi-test";
    networking.hostName = "codchi";
  };

  load = m: if builtins.isPath m || builtins.isString m then import m else m;
  call = m:
    let m' = load m; in
    if builtins.isFunction m' then
      m' ({ inherit config lib; pkgs = { }; options = { }; modulesPath = ""; } // specialArgs)
    else m';
  # Module results with their imports, depth first.
  collect = ms: builtins.concatLists (map (m: let r = call m; in [ r ] ++ collect (r.imports or [ ])) ms);
  # The config part of a module (`config = …` or the whole set minus module keys).
  body = r:
    if r ? config || r ? options then (r.config or { })
    else removeAttrs r [ "imports" "_file" "key" "disabledModules" ];

  merged = merge.mergeConfigs ([ defaults ] ++ map body (collect modules));
  # As codchi's real driver: the declared secrets as a sorted list of {name, description}.
  declaredSecrets = map (k: { name = merged.codchi.secrets.env.${k}.name or k;
    description = merged.codchi.secrets.env.${k}.description or ""; })
    (builtins.attrNames merged.codchi.secrets.env);
  config = merged // {
    codchi = merged.codchi // { internal.declaredSecrets = declaredSecrets; };
    system = (merged.system or { }) // { build = { inherit toplevel images; }; };
  };

  text = name: s: builtins.toFile name s;
  icon = text "codchi-app.svg" ''
    <svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><rect width="48" height="48" rx="8" fill="#3a7"/></svg>
  '';
  desktop = id: app: text "${id}.desktop" ''
    [Desktop Entry]
    Type=Application
    Name=${app.name or id}
    Exec=${app.exec}
    Icon=${id}
    Terminal=${if app.terminal or false then "true" else "false"}
    ${if app ? comment then "Comment=${app.comment}" else ""}
  '';
  apps = config.codchi.apps;
  copyApps = builtins.concatStringsSep "\n" (map
    (id: ''
      cp ${desktop id apps.${id}} "$out/sw/share/codchi/applications/${id}.desktop"
      cp ${icon} "$out/sw/share/codchi/icons/${id}.svg"
    '')
    (builtins.attrNames apps));

  activate = text "activate" ''
    #!/bin/sh
    # Test stand-in for NixOS activation: records which system is active.
    set -e
    sys=$(cd "$(dirname "$0")" && pwd -P)
    mkdir -p /run /etc/codchi
    ln -sfn "$sys" /run/current-system
    printf '%s\n' "$sys" > /etc/codchi/active-system
    cp "$sys/codchi/secrets.json" /etc/codchi/secrets.json
  '';
  switch = text "switch-to-configuration" ''
    #!/bin/sh
    # switch-to-configuration switch|test|boot|dry-activate
    case "$1" in
      switch|test|boot) exec "$(dirname "$0")/../activate" ;;
      dry-activate) echo "would activate $(dirname "$0")/.."; exit 0 ;;
      *) echo "usage: switch-to-configuration switch|test|boot|dry-activate" >&2; exit 100 ;;
    esac
  '';

  builder = text "builder.sh" ''
    PATH=/usr/bin:/bin
    set -e
    mkdir -p "$out/bin" "$out/codchi" "$out/sw/bin" \
      "$out/sw/share/codchi/applications" "$out/sw/share/codchi/icons"
    cp ${activate} "$out/activate"
    cp ${switch} "$out/bin/switch-to-configuration"
    chmod 0555 "$out/activate" "$out/bin/switch-to-configuration"
    cp ${text "secrets.json" (builtins.toJSON config.codchi.secrets.env)} "$out/codchi/secrets.json"
    cp ${text "init-script" config.codchi.initScript} "$out/codchi/init-script"
    cp ${text "welcome" (config.codchi.welcome.text + config.codchi.welcome.extraText)} "$out/codchi/welcome"
    printf '%s\n' ${driver} > "$out/codchi/driver"
    ${copyApps}
  '';

  toplevel = builtins.derivation {
    name = "codchi-system-${config.system.name}";
    inherit system;
    builder = "/bin/sh";
    args = [ "-e" builder ];
  };

  # VM images the way NixOS (25.05+, nixos/modules/image/images.nix) exposes them:
  # system.build.images.<variant>, a derivation whose passthru.filePath names the image file inside
  # it. Here each holds one line naming the variant, the driver and the system it was made from.
  imageFiles = {
    qemu = "nixos-image-qemu.qcow2";
    qemu-efi = "nixos-image-qemu-efi.qcow2";
    raw = "nixos-image-raw.img";
    raw-efi = "nixos-image-raw-efi.img";
    vmware = "nixos-image-vmware.vmdk";
    hyperv = "nixos-image-hyperv.vhdx";
    virtualbox = "nixos-image-virtualbox.ova";
    iso = "iso/nixos-image-iso.iso";
  };
  images = builtins.mapAttrs
    (variant: filePath:
      builtins.derivation
        {
          name = "codchi-image-${variant}";
          inherit system;
          builder = "/bin/sh";
          args = [
            "-ec"
            ''
              PATH=/usr/bin:/bin
              mkdir -p "$out/${dirOf filePath}"
              printf '%s %s %s\n' ${variant} ${driver} ${toplevel} > "$out/${filePath}"
            ''
          ];
        } // { passthru = { inherit filePath; }; })
    imageFiles;
in
{
  inherit config;
  options = { };
  _type = "configuration";
}
