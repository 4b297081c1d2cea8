/**
 * A usbipd.exe (usbipd-win) stand-in for the WSL simulator: `state`, `bind`, `attach --wsl` and
 * `detach` with `--hardware-id`, acting on a device table in a JSON file instead of the drivers.
 *
 * Derived from usbipd-win's source (github.com/dorssel/usbipd-win, commit 7295216a9583):
 * - Usbipd/CommandHandlersCli.cs: GetDevicesByHardwareId (connected devices only, "No devices
 *   found with hardware-id …"), Bind ("was already shared" is success; CheckWriteAccess →
 *   AccessDenied), AttachWsl ("Device is not shared; run 'usbipd bind --busid …' as administrator
 *   first.", "is already attached to a client."), Detach ("was already not attached." is
 *   success), State (indented JSON of every device ordered by InstanceId, nothing on stderr);
 * - Usbipd/ExitCode.cs: Success 0, Failure 1, ParseError 2, AccessDenied 3;
 * - Usbipd/ConsoleTools.cs: messages go to stderr as "usbipd: <level>: <text>" (final period
 *   enforced); CheckWriteAccess's "Access denied; this operation requires administrator
 *   privileges.";
 * - Usbipd/Wsl.cs: attach needs a running WSL 2 distribution ("There is no WSL 2 distribution
 *   running; keep a command prompt to a WSL 2 distribution open to leave it running."), and the
 *   device is then "available in all WSL 2 distributions".
 * An attachment lives as long as WSL's VM: when no distro runs (VM stopped), the client is gone.
 *
 * Environment: USBIPD_SIM_STATE (JSON file: `{"elevated": bool, "Devices": [...]}` in usbipd's
 * state format), USBIPD_SIM_LOG (one JSON line per call: its argv), USBIPD_SIM_WSL (the wsl.exe
 * to ask which distros run; the simulator's state comes from the caller's WSL_SIM_STATE).
 */

interface Device {
  BusId: string | null;
  ClientIPAddress: string | null;
  Description: string;
  InstanceId: string;
  IsForced: boolean;
  PersistedGuid: string | null;
  StubInstanceId: string | null;
}
interface SimState {
  elevated?: boolean;
  Devices: Device[];
}

const file = Deno.env.get("USBIPD_SIM_STATE");
if (!file) {
  console.error("usbipd stand-in: USBIPD_SIM_STATE is not set");
  Deno.exit(1);
}
const log = Deno.env.get("USBIPD_SIM_LOG");
if (log) await Deno.writeTextFile(log, JSON.stringify(Deno.args) + "\n", { append: true });

const st: SimState = JSON.parse(await Deno.readTextFile(file));
const save = () => Deno.writeTextFile(file, JSON.stringify(st, null, 2));
const report = (level: string, text: string) =>
  console.error(`usbipd: ${level}: ${text.endsWith(".") ? text : `${text}.`}`);

/** The running distros, from the simulated wsl.exe (undefined when not wired). */
async function running(): Promise<string[] | undefined> {
  const wsl = Deno.env.get("USBIPD_SIM_WSL");
  if (!wsl) return undefined;
  const out = await new Deno.Command(wsl, {
    args: ["--list", "--running", "--quiet"],
    env: { WSL_UTF8: "1" },
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!out.success) return []; // "There are no running distributions."
  return new TextDecoder().decode(out.stdout).split("\n").map((l) => l.trim()).filter((l) => l);
}

const distros = await running();
if (distros && distros.length === 0) {
  for (const d of st.Devices) d.ClientIPAddress = null; // the VM is gone, and its usbip client
}

function vidPid(d: Device): string | undefined {
  const m = /VID_([0-9A-F]{4})&PID_([0-9A-F]{4})/i.exec(d.InstanceId);
  return m ? `${m[1]}:${m[2]}`.toLowerCase() : undefined;
}

/** GetDevicesByHardwareId with connectedOnly: the plugged-in devices of that id. */
function byHardwareId(id: string): Device[] {
  const found = st.Devices.filter((d) => vidPid(d) === id.toLowerCase() && d.BusId !== null);
  for (const d of found) {
    report("info", `Device with hardware-id '${id}' found at busid '${d.BusId}'`);
  }
  if (found.length === 0) report("error", `No devices found with hardware-id '${id}'`);
  return found;
}

/** GetBusIdByHardwareId: exactly one device, else an error. */
function single(id: string): Device | undefined {
  const found = byHardwareId(id);
  if (found.length > 1) {
    report(
      "error",
      `Multiple devices with hardware-id '${id}' were found; disambiguate by using '--busid'`,
    );
    return undefined;
  }
  return found[0];
}

function hardwareId(): string | undefined {
  const i = Deno.args.indexOf("--hardware-id");
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

async function main(): Promise<number> {
  const [verb] = Deno.args;
  const id = hardwareId();
  if (verb === "state") {
    const devices = [...st.Devices].sort((a, b) => a.InstanceId.localeCompare(b.InstanceId));
    await Deno.stdout.write(
      new TextEncoder().encode(JSON.stringify({ Devices: devices }, null, 2)),
    );
    await save();
    return 0;
  }
  if (!id || !["bind", "attach", "detach"].includes(verb)) {
    report("error", `unsupported arguments: ${Deno.args.join(" ")}`);
    return 2;
  }
  if (verb === "bind") {
    const d = single(id);
    if (!d) return 1;
    if (d.PersistedGuid !== null) {
      report("info", `Device with busid '${d.BusId}' was already shared`);
      return 0;
    }
    if (!st.elevated) {
      report("error", "Access denied; this operation requires administrator privileges");
      return 3;
    }
    d.PersistedGuid = crypto.randomUUID();
    await save();
    return 0;
  }
  if (verb === "attach") {
    if (!Deno.args.includes("--wsl")) {
      report("error", "the stand-in only attaches to WSL (--wsl)");
      return 2;
    }
    const d = single(id);
    if (!d) return 1;
    if (d.PersistedGuid === null) {
      report(
        "error",
        `Device is not shared; run 'usbipd bind --busid ${d.BusId}' as administrator first`,
      );
      return 1;
    }
    if (d.ClientIPAddress !== null) {
      report("error", `Device with busid '${d.BusId}' is already attached to a client`);
      return 1;
    }
    if (distros && distros.length === 0) {
      report(
        "error",
        "There is no WSL 2 distribution running; keep a command prompt to a WSL 2 distribution open to leave it running",
      );
      return 1;
    }
    const via = distros?.[0] ?? "codchistore";
    report(
      "info",
      `Using WSL distribution '${via}' to attach; the device will be available in all WSL 2 distributions`,
    );
    d.ClientIPAddress = "172.29.0.2"; // a recorded value only: nothing is contacted
    await save();
    return 0;
  }
  // detach
  const found = byHardwareId(id);
  if (found.length === 0) return 1;
  for (const d of found) {
    if (d.PersistedGuid === null || d.ClientIPAddress === null) {
      report("info", `Device with busid '${d.BusId}' was already not attached`);
      continue;
    }
    d.ClientIPAddress = null;
  }
  await save();
  return 0;
}

Deno.exit(await main());
