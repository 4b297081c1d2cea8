# codchi's NixOS options (codchi.*). Importing them changes nothing until an option is set.
{
  imports = [
    ./secrets.nix
    ./init.nix
    ./gpu.nix
    ./docker.nix
    ./keyring.nix
    ./recommended.nix
    ./java.nix
    ./host_certificates.nix
  ];
}
