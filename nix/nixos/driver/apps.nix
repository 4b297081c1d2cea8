# The desktop entries and icons of the machine's applications, gathered into
# $out/share/codchi/{applications,icons} of the system, where the host exports them as start-menu
# entries. Entries with NoDisplay=true or Hidden=true, and non-applications, are left out; each
# entry's icon is copied once as icons/<Icon>.<png|svg|xpm> (the largest bitmap, else the SVG).
{ config, lib, pkgs, ... }:
let
  user = config.users.users.${config.codchi.driver.user};
  apps = pkgs.buildEnv {
    name = "codchi-apps-env";
    paths = config.environment.systemPackages ++ user.packages;
    pathsToLink = [ "/share/applications" "/share/icons" "/share/pixmaps" ];
    ignoreCollisions = true;
  };
  collected = pkgs.runCommand "codchi-apps" { } ''
    mkdir -p $out/share/codchi/applications $out/share/codchi/icons
    shopt -s nullglob
    value() { sed -n "s/^$1=//p" "$2" | head -n 1; }
    for entry in ${apps}/share/applications/*.desktop; do
      type="$(value Type "$entry")"
      [ "$type" = Application ] || continue
      [ "$(value NoDisplay "$entry")" = true ] && continue
      [ "$(value Hidden "$entry")" = true ] && continue
      cp -L "$entry" $out/share/codchi/applications/
      icon="$(value Icon "$entry")"
      [ -n "$icon" ] || continue
      name="$(basename "$icon")"; name="''${name%.*}"
      existing=("$out/share/codchi/icons/$name".*)
      [ "''${#existing[@]}" -gt 0 ] && continue
      if [ "''${icon#/}" != "$icon" ] && [ -f "$icon" ]; then
        cp -L "$icon" "$out/share/codchi/icons/$name.''${icon##*.}"
        continue
      fi
      best=""
      for size in 512x512 256x256 192x192 128x128 96x96 64x64 48x48 32x32; do
        f="${apps}/share/icons/hicolor/$size/apps/$icon.png"
        if [ -f "$f" ]; then best="$f"; break; fi
      done
      f="${apps}/share/icons/hicolor/scalable/apps/$icon.svg"
      if [ -z "$best" ] && [ -f "$f" ]; then best="$f"; fi
      if [ -z "$best" ]; then
        for f in ${apps}/share/icons/*/*/apps/"$icon".png ${apps}/share/icons/*/scalable/apps/"$icon".svg \
                 ${apps}/share/pixmaps/"$icon".png ${apps}/share/pixmaps/"$icon".svg \
                 ${apps}/share/pixmaps/"$icon".xpm; do
          if [ -f "$f" ]; then best="$f"; break; fi
        done
      fi
      if [ -n "$best" ]; then cp -L "$best" "$out/share/codchi/icons/$name.''${best##*.}"; fi
    done
  '';
in
{
  options.codchi.internal.apps = lib.mkOption {
    type = lib.types.package;
    internal = true;
    readOnly = true;
    description = "The machine's desktop entries and icons, as exported to the host.";
  };

  config = {
    codchi.internal.apps = collected;
    system.extraSystemBuilderCmds = ''
      mkdir -p $out/share
      cp -r ${collected}/share/codchi $out/share/codchi
    '';
  };
}
