/**
 * The host's side of the machine contract: `nix/contract.json`, the one file the NixOS modules
 * (`builtins.fromJSON`) and the host code both read. Embedded by `deno compile` (static import).
 */
import { posix } from "./path.ts";
import contract from "../nix/contract.json" with { type: "json" };

/** The contract as written in nix/contract.json. */
export const CONTRACT = contract;

/** The machine user: name, uid, primary group and its gid, home. */
export const MACHINE_USER = {
  name: contract.user.name,
  uid: contract.user.uid,
  gid: contract.user.gid,
  group: contract.user.group,
  home: contract.user.home,
} as const;

/** The env file the host writes (secrets and plain values); root and the machine user only. */
export const ENV_FILE = contract.envFile;
/** Where a WSL host drops the env file for the machine's init to move into place. */
export const WSL_ENV_DROP = contract.wslEnvDrop;
/**
 * The env-file variable that carries the host's Windows PATH, translated (`/mnt/c/…`, `:`-joined),
 * which the WSL module appends after the NixOS PATH.
 */
export const WINDOWS_PATH_VAR = contract.windowsPathVar;
/** Folder inside the machine where the host's sockets and per-exec files appear. */
export const HOST_DIR = contract.hostDir;
/** A file below HOST_DIR by its contract key. */
export function hostFile(key: keyof typeof contract.hostFiles): string {
  return posix.join(contract.hostDir, contract.hostFiles[key]);
}
/** The display number the machine always sees. */
export const MACHINE_DISPLAY = contract.display;
/**
 * The variable `exec` sets for the display the host chose (WSL: ":<n>" of VcXsrv on the Windows
 * host; the WSL module turns it into DISPLAY).
 */
export const DISPLAY_VAR = contract.displayVar;
/** Where the host pushes its CA bundle (machines and the store). */
export const HOST_CA_FILE = contract.hostCaFile;
/**
 * WSL's wsl-vpnkit in the store (config.json `windows.vpnkit`): the switch file the host writes
 * into the store, the state file the store publishes (in `/mnt/wsl`, seen by every distro) while
 * it runs, its tap device and gateway (gvproxy's DNS).
 */
export const VPNKIT = contract.vpnkit;
/** Logs of codchi's own units inside a machine (a host folder on LXD). */
export const MACHINE_LOG_DIR = contract.logDir;
/** Nix paths shared between the store and machines. */
export const NIX_PATHS = contract.nix;
/** systemd units the host relies on. */
export const UNITS = contract.units;
/** The machine user's runtime folder (its user manager runs from boot: linger). */
export const USER_RUNTIME_DIR = `/run/user/${contract.user.uid}`;
/** The machine user's systemd manager unit. */
export const USER_MANAGER_UNIT = `user@${contract.user.uid}.service`;
/**
 * WSL network isolation: the /24 (`subnet`, three octets) of the VM's shared namespace, the
 * bridge, the host numbers machines may get, the veth names' prefix, the env-file variable with a
 * machine's preferred host number and the file the machine's NixOS system names its tools in.
 */
export const NETNS = contract.netns;
