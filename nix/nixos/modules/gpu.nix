# codchi.gpu.enable: hardware-accelerated graphics from the host's GPU (on by default, as in Codchi).
{ config, lib, options, ... }:
{
  options.codchi.gpu.enable = lib.mkEnableOption ''
    the host's GPU: OpenGL/Vulkan drivers in the machine (on WSL through the Windows driver)''
  // { default = true; };

  config = lib.mkIf config.codchi.gpu.enable (
    if options.hardware ? graphics
    then { hardware.graphics.enable = lib.mkDefault true; }
    else { hardware.opengl.enable = lib.mkDefault true; }
  );
}
