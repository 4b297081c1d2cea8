# Stand-in for the few nixpkgs functions and packages codchi's modules use. Packages are
# derivation-shaped attribute sets (isDerivation, outPath, name/pname/version); the writers keep
# their text, so tests can read what a unit would run. An attribute missing here is an error.
let
  hash = name: builtins.substring 0 32 (builtins.hashString "sha256" name);
  drv = name: extra: {
    type = "derivation";
    inherit name;
    outPath = "/nix/store/${hash name}-${name}";
    drvPath = "/nix/store/${hash name}-${name}.drv";
    outputs = [ "out" ];
  } // extra;
  pkg = pname: version: drv "${pname}-${version}" { inherit pname version; };
  simple = names: builtins.listToAttrs (map (n: { name = n; value = pkg n "1.0"; }) names);
  jdk = major: let p = pkg "openjdk" "${toString major}.0.1"; in p // { home = "${p.outPath}/lib/openjdk"; };
in
simple [
  "bash"
  "coreutils"
  "gnused"
  "git"
  "gcr"
  "wslu"
  "iproute2"
  "nftables"
  "util-linux"
  "gawk"
  "nix"
  "systemd"
  "curl"
  "wget"
  "file"
  "htop"
  "jq"
  "lsof"
  "ripgrep"
  "tree"
  "unzip"
  "zip"
  "vim"
] // {
  xorg = simple [ "xauth" ];
  cacert = pkg "nss-cacert" "3.0" // { override = _: pkg "nss-cacert" "3.0"; };
  jdk = jdk 21;
  jdk8 = jdk 8;
  jdk17 = jdk 17;
  jdk21 = jdk 21;
  writeText = name: text: drv name { inherit text; };
  writeTextFile = { name, text, destination ? "", executable ? false }:
    drv name { inherit text destination executable; };
  writeShellScript = name: text: drv name { inherit text; };
  writeShellScriptBin = name: text: drv name { inherit text; };
  runCommand = name: env: buildCommand: drv name { inherit buildCommand; };
  buildEnv = { name, paths, ... }: drv name { inherit paths; };
  makeDesktopItem = { name, ... }: drv "${name}.desktop" { };
}
