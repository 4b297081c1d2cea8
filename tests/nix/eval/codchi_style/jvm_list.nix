# codchi's older list form, in a second module: merges with the attribute set above.
{ pkgs, ... }: {
  programs.java.packages = [ pkgs.jdk17 ];
}
