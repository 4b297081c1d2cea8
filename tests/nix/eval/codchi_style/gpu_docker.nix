# Codchi's gpu example, in its shape: Docker with NVIDIA GPUs.
{ pkgs, ... }: {
  nixpkgs.config.allowUnfree = true;
  codchi.docker.enable = true;
  codchi.docker.enableNvidia = true;
  environment.systemPackages = [ pkgs.htop ];
}
