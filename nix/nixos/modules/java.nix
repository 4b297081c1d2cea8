# programs.java.packages: JDKs linked where IDEs look for them: ~/.jdks/<name> (IntelliJ IDEA's
# folder, as in Codchi) and /usr/lib/jvm/<name>. Codchi's form is an attribute set
# (name → JDK); a list is accepted too (each JDK named <pname>-<major version>).
{ config, lib, ... }:
let
  inherit (lib) types;
  contract = import ../../contract.nix;
  jdks = config.programs.java.packages;
  listName = p: "${lib.getName p}-${lib.versions.major (lib.getVersion p)}";
  fromList = ps: lib.listToAttrs (map (p: lib.nameValuePair (listName p) p) ps);
  home = p: p.home or "${p}";
  userHome = config.users.users.${contract.user.name}.home;
in
{
  options.programs.java.packages = lib.mkOption {
    type = types.coercedTo (types.listOf types.package) fromList (types.attrsOf types.package);
    default = { };
    example = lib.literalExpression "{ openjdk17 = pkgs.jdk17; openjdk21 = pkgs.jdk21; }";
    description = ''
      JDKs to link at ~/.jdks/<name> and /usr/lib/jvm/<name> (for IDEs such as IntelliJ IDEA),
      as an attribute set name → JDK (Codchi's form) or a list of JDKs (named
      <pname>-<major version>). Definitions in several modules are merged. The links are
      recreated at every activation.
    '';
  };

  config = lib.mkIf (jdks != { }) {
    system.activationScripts.codchi-jvm = ''
      rm -rf /usr/lib/jvm
      mkdir -p /usr/lib/jvm
      ${lib.concatStringsSep "\n" (lib.mapAttrsToList
        (n: p: "ln -sfn ${lib.escapeShellArg (home p)} /usr/lib/jvm/${lib.escapeShellArg n}")
        jdks)}
    '';
    systemd.tmpfiles.rules = [ "d ${userHome}/.jdks 0755 ${contract.user.name} ${contract.user.group} -" ]
      ++ lib.mapAttrsToList (n: p: "L+ ${userHome}/.jdks/${n} - - - - ${home p}") jdks;
  };
}
