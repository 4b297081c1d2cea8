/**
 * config.json `windows.vpnkit` (issue 15 item 5) through the real CLI on the wsl.exe simulator,
 * with the store's own nix/container/store/vpnkit.sh and a stand-in wsl-vpnkit (it makes no tap
 * device and changes no route: the simulator's distros share the test host's network; see
 * scripts/wsl_test_images_nix.sh). Checked: the switch reaches the store, its supervisor runs
 * wsl-vpnkit and publishes the state file machines follow in the folder every distro shares; a
 * store that WSL restarted gets it again; turning the switch off stops it at the next command and
 * removes the state; the tray's switch writes config.json and stops it in the running store at once.
 */
import { deepStrictEqual, equal, match } from "node:assert/strict";
import { Context } from "../../src/cli/context.ts";
import { trayActions } from "../../src/core/tray.ts";
import { Ui, uiOptions } from "../../src/ui.ts";
import { VPNKIT } from "../../src/contract.ts";
import { CAN_RUN, NIX_IMAGES, ok, simHome } from "./cli_sim.ts";

const opts = { ignore: !CAN_RUN, sanitizeResources: false, sanitizeOps: false };
if (!CAN_RUN) console.error(`wsl vpnkit ignored (needs root and images): ${NIX_IMAGES.missing}`);

type Home = Awaited<ReturnType<typeof simHome>>;

/** Runs `script` as root in the store through `codchi store debug`; its stdout. */
async function inStore(home: Home, script: string): Promise<string> {
  const r = await home.run(["store", "debug", "--", "/bin/sh", "-c", script]);
  equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** What runs: the supervisor, the stand-in, and the published state (waited for, ≤ 5 s). */
const PROBE = `
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null && echo yes || echo no; }
i=0; while [ "$(alive /run/codchi-vpnkit.pid)" = yes ] && [ ! -e ${VPNKIT.stateFile} ] &&
  [ "$i" -lt 50 ]; do sleep 0.1; i=$((i+1)); done
echo "switch=$(cat ${VPNKIT.switchFile} 2>/dev/null)"
echo "supervisor=$(alive /run/codchi-vpnkit.pid)"
echo "vpnkit=$(alive /run/codchi-standin-vpnkit.pid)"
echo "state=$(tr '\\n' ' ' < ${VPNKIT.stateFile} 2>/dev/null)"
`;

const config = (home: Home, cfg: unknown) =>
  Deno.writeTextFile(`${home.configDir}/config.json`, JSON.stringify(cfg));

Deno.test({ name: "wsl cli: windows.vpnkit runs wsl-vpnkit in the store", ...opts }, async () => {
  const home = await simHome();
  try {
    // Off (the default): any command that needs the store creates and starts it; nothing runs.
    await ok(home, ["gc"]);
    let seen = await inStore(home, PROBE);
    match(seen, /^switch=$/m);
    match(seen, /^supervisor=no$/m);
    match(seen, /^vpnkit=no$/m);
    match(seen, /^state=$/m);

    // Turned on while the store runs (config.json edited): the next command hands it in.
    await Deno.mkdir(home.configDir, { recursive: true });
    await config(home, { windows: { vpnkit: true } });
    await ok(home, ["gc"]);
    seen = await inStore(home, PROBE);
    match(seen, /^switch=CODCHI_VPNKIT=1$/m);
    match(seen, /^supervisor=yes$/m);
    match(seen, /^vpnkit=yes$/m);
    // The state machines follow: gvproxy's DNS and the tap, in the VM-wide /mnt/wsl.
    match(seen, new RegExp(`^state=CODCHI_VPNKIT_DNS=${VPNKIT.gateway} CODCHI_VPNKIT_TAP=`, "m"));
    // Its log is kept in the store (what `codchi store debug` is for).
    match(await inStore(home, "cat /nix/var/log/nix/codchi-vpnkit.log"), /starting .*wsl-vpnkit/);

    // WSL restarted the store (it does so by itself): the next command starts wsl-vpnkit again,
    // and the earlier boot's state (gone with its processes) was not left behind meanwhile.
    equal((await home.wsl("--terminate", "codchistore")).code, 0);
    await ok(home, ["gc"]);
    seen = await inStore(home, PROBE);
    match(seen, /^supervisor=yes$/m);
    match(seen, /^vpnkit=yes$/m);
    match(seen, /^state=CODCHI_VPNKIT_DNS=/m);

    // Turned off from the tray (its action in this process, the real config code and WSL store):
    // config.json is written and the running store stops wsl-vpnkit at once, no command needed;
    // the stand-in's clean-up ran (its tap folder is gone) and the state is removed.
    const ui = new Ui(uiOptions({}, {}, false, false), () => {}, () => {});
    const tray = trayActions(new Context({ ...home.env }, ui).core(true));
    deepStrictEqual(await tray.settings!(), { vcxsrv: true, vpnkit: true, autostart: true });
    // The simulator's state is found through this process's environment (codchi's runner passes
    // it on to wsl.exe), as the CLI's subprocesses get it.
    const sim = Object.entries(home.env).filter(([k]) => k.startsWith("WSL_SIM_"));
    sim.forEach(([k, v]) => Deno.env.set(k, v));
    try {
      await tray.setSetting!("vpnkit", false);
    } finally {
      sim.forEach(([k]) => Deno.env.delete(k));
    }
    equal(
      JSON.parse(await Deno.readTextFile(`${home.configDir}/config.json`)).windows.vpnkit,
      false,
    );
    deepStrictEqual(await tray.settings!(), { vcxsrv: true, vpnkit: false, autostart: true });
    seen = await inStore(home, `${PROBE}\nls /run/codchi-standin-net 2>/dev/null | wc -l`);
    match(seen, /^switch=$/m);
    match(seen, /^supervisor=no$/m);
    match(seen, /^vpnkit=no$/m);
    match(seen, /^state=$/m);
    match(seen, /^0$/m);

    // On again from the CLI's side: the next command hands the changed switch in.
    await config(home, { windows: { vpnkit: true } });
    await ok(home, ["gc"]);
    seen = await inStore(home, PROBE);
    match(seen, /^vpnkit=yes$/m);
    match(seen, /^state=CODCHI_VPNKIT_DNS=/m);
  } finally {
    await home.dispose();
  }
});
