# codchi.docker: Docker in the machine, usable by the machine user; optionally with the host's
# NVIDIA GPUs through NixOS's nvidia-container-toolkit (CDI).
{ config, lib, options, ... }:
let
  cfg = config.codchi.docker;
  toolkit = options.hardware.nvidia-container-toolkit or { };
  inContainer = config.codchi.driver.name != "none";
in
{
  options.codchi.docker = {
    enable = lib.mkEnableOption "Docker, with the machine user in the docker group";
    enableNvidia = lib.mkEnableOption ''
      NVIDIA GPUs inside Docker containers (nvidia-container-toolkit; needs `codchi.gpu.enable`).
      In a codchi machine the NVIDIA driver is the host's, so NixOS's check for a NixOS-installed
      driver is turned off'';
  };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      virtualisation.docker.enable = true;
      users.users.${config.codchi.driver.user}.extraGroups = [ "docker" ];
    }
    (lib.mkIf cfg.enableNvidia {
      assertions = [{
        assertion = config.codchi.gpu.enable;
        message = "codchi.docker.enableNvidia needs codchi.gpu.enable = true.";
      }];
    })
    (lib.mkIf cfg.enableNvidia (
      if toolkit ? enable
      then
        lib.mkMerge [
          {
            hardware.nvidia-container-toolkit.enable = true;
            # The driver's executables are the host's (WSL: /usr/lib/wsl/lib), not NixOS's.
            hardware.nvidia-container-toolkit.mount-nvidia-executables = lib.mkDefault false;
          }
          (lib.optionalAttrs (toolkit ? suppressNvidiaDriverAssertion) {
            hardware.nvidia-container-toolkit.suppressNvidiaDriverAssertion = lib.mkDefault inContainer;
          })
          # A plain NixOS system (driver "none", e.g. a VM) brings its own NVIDIA driver, as in Codchi.
          (lib.mkIf (!inContainer) { services.xserver.videoDrivers = [ "nvidia" ]; })
          (lib.optionalAttrs (toolkit ? discovery-mode) {
            hardware.nvidia-container-toolkit.discovery-mode =
              lib.mkIf (config.codchi.driver.name == "wsl") (lib.mkDefault "wsl");
          })
        ]
      else { virtualisation.docker.enableNvidia = true; }
    ))
  ]);
}
