# programs.java.packages: JDKs linked at /usr/lib/jvm/<name>-<major>, where IDEs look for them.
{ config, lib, ... }:
let
  jdks = config.programs.java.packages;
  linkName = p: "${lib.getName p}-${lib.versions.major (lib.getVersion p)}";
  home = p: p.home or "${p}";
in
{
  options.programs.java.packages = lib.mkOption {
    type = lib.types.listOf lib.types.package;
    default = [ ];
    example = lib.literalExpression "[ pkgs.jdk17 pkgs.jdk21 ]";
    description = ''
      JDKs to link at /usr/lib/jvm/<name>-<major version> (for IDEs such as IntelliJ IDEA).
      The links are recreated on every activation.
    '';
  };

  config = lib.mkIf (jdks != [ ]) {
    system.activationScripts.codchi-jvm = ''
      rm -rf /usr/lib/jvm
      mkdir -p /usr/lib/jvm
      ${lib.concatMapStringsSep "\n"
        (p: "ln -sfn ${lib.escapeShellArg (home p)} /usr/lib/jvm/${lib.escapeShellArg (linkName p)}")
        jdks}
    '';
  };
}
