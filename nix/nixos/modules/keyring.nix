# codchi.keyring.enable: a keyring for apps that store passwords (git credentials, IDEs, …).
{ config, lib, pkgs, ... }:
{
  options.codchi.keyring.enable = lib.mkEnableOption ''
    a login keyring (GNOME Keyring and its Secret Service, with Seahorse to manage it)'';

  config = lib.mkIf config.codchi.keyring.enable {
    services.gnome.gnome-keyring.enable = true;
    programs.seahorse.enable = true;
    services.dbus.packages = [ pkgs.gcr ];
    security.pam.services.login.enableGnomeKeyring = true;
  };
}
