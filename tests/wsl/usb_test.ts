/**
 * `codchi usb` on WSL through the real CLI, the wsl.exe simulator and the usbipd.exe stand-in
 * (tests/fakes/usbipd.exe, derived from usbipd-win's source): list, attach (bind when not
 * shared, then a one-shot attach), the list re-applied when the machine starts again after WSL's
 * VM stopped, detach. One machine shared by the steps.
 */
import { deepEqual, equal, match, ok as assert } from "node:assert/strict";
import { CAN_RUN, NIX_IMAGES, ok, simHome, WSL_EXE } from "./cli_sim.ts";
import { REPO } from "../support/cli.ts";

const opts = { ignore: !CAN_RUN, sanitizeResources: false, sanitizeOps: false };
if (!CAN_RUN) console.error(`wsl usb ignored (needs root and images): ${NIX_IMAGES.missing}`);

const USBIPD = `${REPO}/tests/fakes/usbipd.exe`;

/** A device row of `usbipd state` (usbipd-win's Automation format). */
const device = (vidPid: string, bus: string | null, desc: string, shared: boolean) => ({
  BusId: bus,
  ClientIPAddress: null,
  Description: desc,
  InstanceId: `USB\\VID_${vidPid.slice(0, 4).toUpperCase()}&PID_${
    vidPid.slice(5).toUpperCase()
  }\\${desc.length}`,
  IsForced: false,
  PersistedGuid: shared ? "6ee1b4c2-3b9c-4a0e-9f0c-0d2a4c7a1b11" : null,
  StubInstanceId: null,
});

Deno.test(
  { name: "wsl cli: usb list, attach (bind + attach), restart, detach", ...opts },
  async (t) => {
    const home = await simHome();
    const usbState = `${home.root}.usbipd.json`;
    const usbLog = `${home.root}.usbipd.jsonl`;
    Object.assign(home.env, {
      CODCHI_USBIPD_EXE: USBIPD,
      USBIPD_SIM_STATE: usbState,
      USBIPD_SIM_LOG: usbLog,
      USBIPD_SIM_WSL: WSL_EXE,
    });
    const table = async () => JSON.parse(await Deno.readTextFile(usbState));
    const setElevated = async (elevated: boolean) =>
      await Deno.writeTextFile(usbState, JSON.stringify({ ...(await table()), elevated }));
    /** usbipd calls since the last look, without "state". */
    let seen = 0;
    const calls = async () => {
      const lines = (await Deno.readTextFile(usbLog).catch(() => "")).split("\n").filter((l) => l);
      const fresh = lines.slice(seen).map((l) => JSON.parse(l) as string[]);
      seen = lines.length;
      return fresh.filter((c) => c[0] !== "state");
    };
    const attachedIds = async () =>
      (await table()).Devices.filter((d: { ClientIPAddress: string | null }) => d.ClientIPAddress)
        .map((d: { Description: string }) => d.Description);
    const machineUsb = async (m: string) =>
      JSON.parse(await Deno.readTextFile(`${home.configDir}/machines/${m}/machine.json`)).usb;
    await Deno.writeTextFile(
      usbState,
      JSON.stringify({
        elevated: false,
        Devices: [
          device("046d:c52b", "1-2", "Receiver", true),
          device("0bda:8153", "1-3", "Ethernet", false),
          device("1050:0407", null, "Key", true), // persisted, unplugged
        ],
      }),
    );
    const M = "usbw";
    try {
      await t.step("usb list: usbipd state's devices; usbipd missing names winget", async () => {
        const res = await ok(home, ["--json", "usb", "list"]);
        deepEqual(JSON.parse(res.stdout), [
          { id: "046d:c52b", bus: "1-2", name: "Receiver", attached: false },
          { id: "0bda:8153", bus: "1-3", name: "Ethernet", attached: false },
          { id: "1050:0407", bus: "", name: "Key", attached: false },
        ]);
        const gone = await home.run(["usb", "list"], {
          env: { CODCHI_USBIPD_EXE: "usbipd-not-installed.exe" },
        });
        equal(gone.code, 9, gone.stderr);
        match(gone.stderr, /winget install usbipd/);
        await calls();
      });

      await t.step("usb attach: an unshared device needs the elevated bind, named", async () => {
        await ok(home, ["init", M]);
        await calls();
        const res = await home.run(["usb", "attach", M, "1-3"]); // by bus id
        equal(res.code, 9, res.stderr);
        match(res.stderr, /usbipd bind --hardware-id 0bda:8153/);
        match(res.stderr, /administrator/);
        deepEqual(await calls(), [["bind", "--hardware-id", "0bda:8153"]]);
        deepEqual(await attachedIds(), []);
      });

      await t.step("usb attach: bind (elevated) + one-shot attach; machine.json", async () => {
        await setElevated(true);
        const res = await ok(home, ["usb", "attach", M, "0bda:8153"]);
        match(res.stdout, /now/);
        deepEqual(await calls(), [
          ["bind", "--hardware-id", "0bda:8153"],
          ["attach", "--wsl", "--hardware-id", "0bda:8153"],
        ]);
        await ok(home, ["usb", "attach", M, "046d:c52b"]); // shared already: attach only
        deepEqual(await calls(), [["attach", "--wsl", "--hardware-id", "046d:c52b"]]);
        await ok(home, ["usb", "attach", M, "1050:0407"]); // unplugged: kept for later, no call
        deepEqual(await calls(), []);
        deepEqual(await machineUsb(M), ["0bda:8153", "046d:c52b", "1050:0407"]);
        deepEqual((await attachedIds()).sort(), ["Ethernet", "Receiver"]);
      });

      await t.step("WSL's VM stopped: the next start attaches the list again", async () => {
        equal((await home.wsl("--shutdown")).code, 0);
        const listed = JSON.parse((await ok(home, ["--json", "usb", "list"])).stdout);
        deepEqual(listed.map((d: { attached: boolean }) => d.attached), [false, false, false]);
        await calls();
        await ok(home, ["exec", M, "--", "true"]);
        deepEqual(await calls(), [
          ["attach", "--wsl", "--hardware-id", "0bda:8153"],
          ["attach", "--wsl", "--hardware-id", "046d:c52b"],
        ]);
        deepEqual((await attachedIds()).sort(), ["Ethernet", "Receiver"]);
      });

      await t.step("usb detach: detaches that device only", async () => {
        await ok(home, ["usb", "detach", M, "046d:c52b"]);
        deepEqual(await calls(), [["detach", "--hardware-id", "046d:c52b"]]);
        deepEqual(await attachedIds(), ["Ethernet"]);
        deepEqual(await machineUsb(M), ["0bda:8153", "1050:0407"]);
        assert((await home.distros()).includes(`codchi-${M}`));
      });
    } finally {
      await home.dispose();
      await Deno.remove(usbState).catch(() => {});
      await Deno.remove(usbLog).catch(() => {});
    }
  },
);
