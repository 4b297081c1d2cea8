/**
 * `codchi doctor` for LXD/Incus: is the client on PATH, does the daemon (and the remote) answer,
 * may this user use it. The probes are bounded `query` calls; the group file is parsed purely.
 */
import type { Runner } from "../../process.ts";
import type { DriverName, LxdDiagnosis, ProbeResult } from "../types.ts";
import { findOnPath, isExecutableFile } from "../../process.ts";
import { describeProjectSource, type ProjectSource } from "./project.ts";
import type { RemoteSource } from "./remote.ts";

/** What the LXD probes need (the driver's own choices). */
export interface LxdProbeDeps {
  runner: Runner;
  name: DriverName;
  env: Record<string, string | undefined>;
  project?: { name: string; source: ProjectSource };
  remote?: { name: string; source: RemoteSource };
  /** The process's uid (0: root may use the daemon without a group). */
  uid: number;
  /** Reads the group database; default `/etc/group` (undefined when unreadable). */
  readGroups?: () => Promise<string | undefined>;
}

/** The members of `group` in a group database's text (`name:x:gid:a,b`). */
export function groupMembers(groupText: string, group: string): string[] {
  const line = groupText.split("\n").find((l) => l.startsWith(`${group}:`));
  return line?.split(":")[3]?.split(",").map((m) => m.trim()).filter(Boolean) ?? [];
}

/** The group whose members may use the daemon of `name`. */
export function daemonGroup(name: DriverName): string {
  return name === "incus" ? "incus-admin" : "lxd";
}

/** The last line of a failed probe's output (the client's own reason). */
function lastLine(errText: string, text: string): string | undefined {
  return (errText || text).trim().split("\n").pop();
}

async function readEtcGroup(): Promise<string | undefined> {
  try {
    return await Deno.readTextFile("/etc/group");
  } catch {
    return undefined;
  }
}

/**
 * Why a remote's `/1.0` answer is no use, or undefined: the server answers it to anyone, and its
 * `auth` says whether it trusts this client.
 */
export function untrustedBy(bin: string, remote: string): (text: string) => string | undefined {
  return (text) =>
    /"auth":\s*"untrusted"/.test(text)
      ? `it does not trust this client (make a token there: ${bin} config trust add <name>; ` +
        `then ${bin} remote remove ${remote} and codchi remote add it again)`
      : undefined;
}

/** Runs the LXD/Incus probes. */
export async function diagnoseLxd(d: LxdProbeDeps): Promise<LxdDiagnosis> {
  const bin = d.name === "incus" ? "incus" : "lxc";
  const cliPath = findOnPath(bin, d.env.PATH ?? "", isExecutableFile);
  const query = async (
    target: string,
    timeoutMs: number,
    refuse?: (text: string) => string | undefined,
  ): Promise<ProbeResult> => {
    const out = await d.runner.run([bin, "query", target], { check: false, timeoutMs });
    if (out.code !== 0) return { ok: false, error: lastLine(out.errText, out.text) };
    const why = refuse?.(out.text);
    return why ? { ok: false, error: why } : { ok: true };
  };
  const daemon: ProbeResult = cliPath ? await query("/1.0", 10_000) : { ok: false };
  let remote: LxdDiagnosis["remote"];
  if (d.remote) {
    const source = d.remote.source === "env" ? "CODCHI_LXD_REMOTE" : "config.json remote";
    const probe = cliPath
      ? await query(`${d.remote.name}:/1.0`, 15_000, untrustedBy(bin, d.remote.name))
      : { ok: false, error: `${bin} is not on PATH` };
    remote = { name: d.remote.name, source, ...probe };
  }
  const user = d.env.USER ?? d.env.LOGNAME ?? `uid ${d.uid}`;
  const group = daemonGroup(d.name);
  const ok = d.uid === 0 ||
    groupMembers((await (d.readGroups ?? readEtcGroup)()) ?? "", group).includes(user);
  return {
    kind: "lxd",
    cliPath,
    daemon,
    // The project is named only once the client is there (it says where machines would go).
    project: cliPath && d.project
      ? { name: d.project.name, source: describeProjectSource(d.project.source) }
      : undefined,
    remote,
    permission: { user, group, ok },
  };
}
