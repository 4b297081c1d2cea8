# The machine contract (contract.json) for the Nix side, with the paths derived from it. The host
# reads the same file (src/contract.ts); neither side writes these facts anywhere else.
let
  c = builtins.fromJSON (builtins.readFile ./contract.json);
  userIds = "${toString c.user.uid}:${toString c.user.gid}";
in
c // {
  inherit userIds;
  hostFile = key: "${c.hostDir}/${c.hostFiles.${key}}";
  userRuntimeDir = "/run/user/${toString c.user.uid}";
  # The contract for the images' shell scripts (sourced; plain NAME=value lines).
  shellVars = ''
    CODCHI_USER=${c.user.name}
    CODCHI_UID=${toString c.user.uid}
    CODCHI_GID=${toString c.user.gid}
    CODCHI_HOME=${c.user.home}
    CODCHI_ENV_FILE=${c.envFile}
    CODCHI_WSL_ENV_DROP=${c.wslEnvDrop}
    CODCHI_WINDOWS_PATH_VAR=${c.windowsPathVar}
    CODCHI_HOST_CA_FILE=${c.hostCaFile}
    CODCHI_PROXY_FILE=${c.proxyFile}
    CODCHI_VPNKIT_SWITCH=${c.vpnkit.switchFile}
    CODCHI_VPNKIT_STATE=${c.vpnkit.stateFile}
    CODCHI_VPNKIT_TAP=${c.vpnkit.tap}
    CODCHI_VPNKIT_GATEWAY=${c.vpnkit.gateway}
    CODCHI_NIX_STORE=${c.nix.store}
    CODCHI_NIX_DB=${c.nix.db}
    CODCHI_NIX_DAEMON_SOCKET_DIR=${c.nix.daemonSocketDir}
    CODCHI_NIX_PROFILES_DIR=${c.nix.profilesDir}
    CODCHI_SYSTEM_PROFILE=${c.nix.systemProfile}
    CODCHI_NETNS_BRIDGE=${c.netns.bridge}
    CODCHI_NETNS_SUBNET=${c.netns.subnet}
    CODCHI_NETNS_GATEWAY_HOST=${toString c.netns.gatewayHost}
    CODCHI_NETNS_FIRST_HOST=${toString c.netns.firstHost}
    CODCHI_NETNS_LAST_HOST=${toString c.netns.lastHost}
    CODCHI_NETNS_LINK_PREFIX=${c.netns.linkPrefix}
    CODCHI_NETNS_HOST_VAR=${c.netns.hostVar}
    CODCHI_NETNS_TOOLS_FILE=${c.netns.toolsFile}
  '';
}
