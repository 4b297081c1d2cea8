# codchi.docker: Docker in the machine, usable by the machine user.
{ config, lib, options, ... }:
let
  cfg = config.codchi.docker;
  hasDriver = options.codchi ? driver;
in
{
  options.codchi.docker = {
    enable = lib.mkEnableOption "Docker, with the machine user in the docker group";
    enableNvidia = lib.mkEnableOption "NVIDIA GPUs inside Docker containers";
  };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    { virtualisation.docker.enable = true; }
    (lib.mkIf hasDriver {
      users.users.${config.codchi.driver.user}.extraGroups = [ "docker" ];
    })
    (lib.mkIf cfg.enableNvidia (
      if options.hardware ? nvidia-container-toolkit
      then { hardware.nvidia-container-toolkit.enable = true; }
      else { virtualisation.docker.enableNvidia = true; }
    ))
  ]);
}
