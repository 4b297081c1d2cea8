# Packs a rootfs folder as an image: `lxd` form = metadata.yaml + rootfs/ (a unified LXD image
# tarball), `wsl` form = the bare rootfs (for `wsl.exe --import`). Reproducible: sorted, owned by
# root, fixed times.
{ pkgs, version }:
{ name, form, rootfs, description }:
assert builtins.elem form [ "lxd" "wsl" ];
let
  arch = pkgs.stdenv.hostPlatform.uname.processor;
  metadata = pkgs.writeText "metadata.yaml" ''
    architecture: ${arch}
    creation_date: 1
    properties:
      description: ${builtins.toJSON "${description} ${version}"}
      os: codchi
      release: ${builtins.toJSON version}
    templates: {}
  '';
in
pkgs.runCommand "codchi-${name}-${form}-${arch}.tar.gz"
{
  nativeBuildInputs = [ pkgs.gnutar pkgs.gzip ];
  passthru = { inherit rootfs form; };
} ''
  mkdir -p work
  ${if form == "lxd" then ''
    cp ${metadata} work/metadata.yaml
    mkdir work/rootfs
    root=work/rootfs
  '' else ''
    root=work
  ''}
  cp -a --no-preserve=ownership ${rootfs}/. "$root"/
  chmod -R u+w,go-w "$root"
  chmod 1777 "$root/tmp"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1 --format=gnu \
    -C work -cf - . | gzip -9n > $out
''
