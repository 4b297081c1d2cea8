# WSL network isolation: every WSL distro shares the VM's one network namespace (WSL issue 4304),
# so two machines cannot both listen on a port and each sees the other's. With the option on, the
# machine image's init (nix/container/machine/init.sh, netns.sh) starts NixOS in a namespace of
# its own, joined by a veth pair to a bridge in the shared (store's) namespace, which forwards and
# masquerades its traffic. The init finds out before NixOS runs: this module puts the tools file
# (contract `netns.toolsFile`, naming ip and nft from this system) into the system's /etc.
{ config, lib, pkgs, ... }:
let
  contract = import ../../../contract.nix;
  n = contract.netns;
in
{
  options.codchi.driver.wsl.networkIsolation = lib.mkOption {
    type = lib.types.bool;
    default = false;
    description = ''
      WSL only: run the machine in a network namespace of its own, behind the store's NAT, so
      its ports clash with no other machine's (docs/wsl.md). Windows' `localhost` forwarding
      then no longer reaches its servers, hence off by default. Restart the machine to apply.
    '';
  };

  config = lib.mkIf (config.codchi.driver.name == "wsl" && config.codchi.driver.wsl.networkIsolation) {
    environment.etc.${lib.removePrefix "/etc/" n.toolsFile}.text = ''
      CODCHI_NETNS_IP=${pkgs.iproute2}/bin/ip
      CODCHI_NETNS_NFT=${pkgs.nftables}/bin/nft
    '';
  };
}
