# codchi.gpu.enable: hardware-accelerated graphics from the host's GPU.
{ config, lib, options, ... }:
{
  options.codchi.gpu.enable = lib.mkEnableOption ''
    the host's GPU: OpenGL/Vulkan drivers in the machine (on WSL through the Windows driver)'';

  config = lib.mkIf config.codchi.gpu.enable (
    if options.hardware ? graphics
    then { hardware.graphics.enable = true; }
    else { hardware.opengl.enable = true; }
  );
}
