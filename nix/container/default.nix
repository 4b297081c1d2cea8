# The four rootfs images: the store (nix-daemon and the shared /nix) and the machine (a minimal
# /sbin/init that starts the NixOS system built in the store), each for LXD and for WSL.
{ pkgs, version ? "dev" }:
let
  image = import ./image.nix { inherit pkgs version; };
  store = import ./store { inherit pkgs; };
  # The WSL store also carries wsl-vpnkit (its /nix is the distro's own disk).
  storeWsl = import ./store { inherit pkgs; wsl = true; };
  machine = import ./machine { inherit pkgs; };
in
{
  store-lxd = image { name = "store"; form = "lxd"; rootfs = store; description = "codchi store"; };
  store-wsl = image { name = "store"; form = "wsl"; rootfs = storeWsl; description = "codchi store"; };
  machine-lxd = image { name = "machine"; form = "lxd"; rootfs = machine; description = "codchi machine"; };
  machine-wsl = image { name = "machine"; form = "wsl"; rootfs = machine; description = "codchi machine"; };
}
