# Codchi's documented jvm example, in its shape: programs.java with an attribute set of JDKs.
{ pkgs, ... }: {
  programs.java = {
    enable = true;
    package = pkgs.jdk21;
    packages = {
      openjdk8 = pkgs.jdk8;
    };
  };
}
