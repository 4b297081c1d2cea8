/**
 * `codchi uninstall` through the real CLI on a host without LXD (no lxc on PATH): the host's files
 * of codchi (machines' config and homes, cache, desktop entries, menus, tray autostart, secrets
 * file, folders) go; without a terminal it needs --i-am-really-sure; afterwards no path named
 * codchi is left under HOME. (The real-LXD part runs in tests/release_lxd.)
 */
import { equal, ok } from "node:assert/strict";
import { makeHome } from "../support/cli.ts";
import { listTree, makeMachine } from "./_helpers.ts";

Deno.test("uninstall: confirmation needed without a terminal; then every codchi file goes", async () => {
  // A PATH without lxc/incus: the driver cannot be made, codchi's own files still go.
  const bin = await Deno.makeTempDir({ prefix: "codchi-nopath-" });
  const home = await makeHome({ CODCHI_DRIVER: "lxd", PATH: bin });
  try {
    const r = home.root;
    await makeMachine(home.configDir, "app");
    await Deno.writeTextFile(`${home.configDir}/config.json`, `{"version": 1}\n`);
    await Deno.mkdir(`${home.dataDir}/machine/app/project`, { recursive: true });
    await Deno.writeTextFile(`${home.dataDir}/machine/app/project/a.txt`, "work\n");
    await Deno.mkdir(`${r}/.cache/codchi/images`, { recursive: true });
    await Deno.writeTextFile(`${r}/.cache/codchi/images/abc-codchi-lxd-store.tar.gz.part`, "x");
    await Deno.mkdir(`${r}/config/autostart`, { recursive: true });
    await Deno.writeTextFile(`${r}/config/autostart/codchi-tray.desktop`, "[Desktop Entry]\n");
    await Deno.writeTextFile(`${r}/config/autostart/other.desktop`, "[Desktop Entry]\n");
    const before = await listTree(r);

    const refused = await home.run(["uninstall"]);
    equal(refused.code, 2, refused.stderr);
    ok(refused.stderr.includes("--i-am-really-sure"), refused.stderr);
    // Nothing was removed (codchi's start-up may create its own runtime folders).
    const after = new Set(await listTree(r));
    equal(before.filter((p) => !after.has(p)).join(", "), "", "nothing was removed");

    const res = await home.run(["uninstall", "--i-am-really-sure", "--json"]);
    equal(res.code, 0, res.stderr);
    const removed: string[] = JSON.parse(res.stdout).removed;
    ok(removed.some((x) => x.startsWith("machine app")), res.stdout);
    for (const p of [home.configDir, home.dataDir, `${r}/.cache/codchi`]) {
      ok(removed.includes(p), `${p} in ${res.stdout}`);
    }
    ok(res.stderr.includes("Neither lxc"), "it said why the containers were not touched");
    const left = (await listTree(r)).filter((p) => /codchi/i.test(p));
    equal(left.join(", "), "", "nothing named codchi is left");
    await Deno.stat(`${r}/config/autostart/other.desktop`); // other programs' files stay

    const again = await home.run(["uninstall", "--i-am-really-sure"]);
    equal(again.code, 0, again.stderr);
    ok(again.stdout.includes("Nothing of codchi was found"), again.stdout);
  } finally {
    await home.cleanup();
    await Deno.remove(bin, { recursive: true });
  }
});
