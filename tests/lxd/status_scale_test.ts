/**
 * `codchi status` costs one process spawn however many machines exist (real CLI, real LXD, ten
 * real containers: one built by codchi, nine created from the same machine image).
 * Run under `flock /tmp/codchi-lxd.lock` (scripts/test-lxd.sh does): one store per host.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { makeHome, testbedEnv } from "../support/cli.ts";
import { containerNames, haveTestbed, lxc, ok, removeContainers, statusOf } from "./cli_support.ts";

const bed = testbedEnv();
const PREFIX = "st";

Deno.test({
  name: "lxd cli: status of 10 machines is one spawn",
  ignore: !haveTestbed(bed),
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  await removeContainers(PREFIX);
  const home = await makeHome(bed);
  const names = Array.from({ length: 10 }, (_, i) => `st${i}`);
  try {
    await ok(home, ["init", names[0]]);
    const image = (await lxc("list", "--format", "json", `codchi-${names[0]}`)).text;
    const base = (JSON.parse(image) as { config: Record<string, string> }[])[0]
      .config["volatile.base_image"];
    // Nine more real containers from the same image (cheap: no build, no boot), with their configs.
    await Promise.all(
      names.slice(1).map(async (m) => {
        await ok(home, ["init", "-N", m]);
        const made = await lxc("init", "-q", base, `codchi-${m}`);
        equal(made.code, 0, made.err);
      }),
    );
    const all = await containerNames();
    for (const m of names) equal(all.includes(`codchi-${m}`), true, m);

    const res = await home.run(["status"], { env: { CODCHI_TRACE: "1" } });
    equal(res.code, 0, res.stderr);
    console.error(`  status with 10 machines: ${res.traces.join(" | ")}`);
    equal(res.traces.length, 1, res.traces.join("\n"));
    match(res.traces[0], /lxc list -q --format json codchi/);

    const st = await statusOf(home);
    deepEqual(Object.keys(st).sort(), names);
    equal(st[names[0]].status, "UpToDate");
    equal(st[names[0]].running, true);
    for (const m of names.slice(1)) {
      // Installed but never built by codchi: NotInstalled, stopped.
      equal(st[m].status, "NotInstalled");
      equal(st[m].running, false);
    }
  } finally {
    await removeContainers(PREFIX);
    await home.cleanup();
  }
});
