/**
 * The host session in a machine: the files of the session hooks (X cookie, sound config and
 * cookie; handed in by the host port, host/linux/session_files.ts) pushed in ONE spawn through
 * stdin, and only when they or the devices changed (fingerprints, recorded per container).
 */
import { HOST_DIR } from "../../contract.ts";
import { concatBytes } from "../../bytes.ts";
import type {
  SessionDevices,
  SessionDevicesHook,
  SessionFile,
  SessionFilesHook,
} from "../types.ts";

export type { SessionDevices, SessionDevicesHook, SessionFile, SessionFilesHook };

/**
 * The script that writes the files from stdin, one after the other (`head -c` reads exactly the
 * given number of bytes), each through a temp file + rename, with its mode and owner. Runs as root.
 * Arguments: groups of `path length mode uid:gid`.
 */
export const PUSH_SCRIPT = "set -e; umask 077; mkdir -p " + HOST_DIR + "; chmod 0755 " +
  HOST_DIR + "; " +
  'while [ "$#" -ge 4 ]; do t="$1.codchi-new"; head -c "$2" > "$t"; chmod "$3" "$t"; ' +
  'chown "$4" "$t"; mv -f "$t" "$1"; shift 4; done';

/** The command and stdin that write `files` in one spawn: values go through stdin, never argv. */
export function sessionPushCommand(files: SessionFile[]): { argv: string[]; stdin: Uint8Array } {
  const args = files.flatMap((f) => [
    f.path,
    String(f.data.length),
    f.mode.toString(8).padStart(4, "0"),
    `${f.owner.uid}:${f.owner.gid}`,
  ]);
  const stdin = concatBytes(files.map((f) => f.data));
  return { argv: ["/bin/sh", "-c", PUSH_SCRIPT, "codchi-session", ...args], stdin };
}

/**
 * A fingerprint of the files (paths, modes, owners and bytes) and `extra`: what was applied last.
 * FNV-1a, two 32-bit lanes: it only tells "changed since the last exec" (no WebCrypto, which
 * would cost exec start-up time and memory).
 */
export function sessionFingerprint(files: SessionFile[], extra = ""): Promise<string> {
  const enc = new TextEncoder();
  let a = 0x811c9dc5, b = 0x050c5d1f;
  const mix = (bytes: Uint8Array) => {
    for (let i = 0; i < bytes.length; i++) {
      a = Math.imul(a ^ bytes[i], 0x01000193) >>> 0;
      b = Math.imul(b ^ bytes[i], 0x01000193) >>> 0;
      b = (b ^ (b >>> 13)) >>> 0;
    }
  };
  mix(enc.encode(`${extra}\0`));
  for (const f of files) {
    mix(enc.encode(`${f.path}\0${f.mode}\0${f.owner.uid}:${f.owner.gid}\0${f.data.length}\0`));
    mix(f.data);
  }
  return Promise.resolve(a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0"));
}

/** The fingerprints of the session now: its files, and the devices it wants (as recorded). */
export async function sessionFingerprints(
  files: SessionFile[],
  wanted: SessionDevices | undefined,
): Promise<[files: string, devices: string]> {
  return [
    await sessionFingerprint(files),
    await sessionFingerprint([], JSON.stringify(wanted?.devices ?? {})),
  ];
}

/** Where the fingerprint of the last push into `container` is kept (runtime dir: gone at reboot). */
export function sessionRecordPath(runtimeDir: string, container: string): string {
  return `${runtimeDir}/session/${container}.sha256`;
}

/** The recorded fingerprint, or "" when there is none. */
export async function readSessionRecord(path: string): Promise<string> {
  return (await Deno.readTextFile(path).catch(() => "")).trim();
}

/** Records the fingerprint of a push (0600: it is a hash of a credential). */
export async function writeSessionRecord(path: string, fingerprint: string): Promise<void> {
  // Loaded when writing: exec's fast path, which loads this module, writes nothing.
  const { writeAtomic } = await import("../../atomic_write.ts");
  await writeAtomic(path, fingerprint + "\n", { mode: 0o600, dirMode: 0o700 });
}

/** Forgets the record (the container's copy is unknown: next exec pushes again). */
export async function clearSessionRecord(path: string): Promise<void> {
  await Deno.remove(path).catch(() => {});
}

/**
 * argv that creates the machine's socket folder (LXD's proxy cannot listen in a missing one; a
 * fresh machine has none before its first boot): an empty marker file pushed with its parents.
 * Works on a stopped container.
 */
export function socketDirArgv(bin: string, container: string): string[] {
  return [
    bin,
    "file",
    "push",
    "-q",
    "-p",
    "--mode",
    "0644",
    "-",
    `${container}${HOST_DIR}/.codchi`,
  ];
}

/** Whether a device listens on a path socket (which needs its folder to exist in the machine). */
export function listensOnPath(device: Record<string, string>): boolean {
  return device.type === "proxy" && (device.listen ?? "").startsWith("unix:/");
}
