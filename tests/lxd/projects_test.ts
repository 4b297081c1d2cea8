/**
 * Several codchi data folders on one host (so several users): each gets an LXD/Incus project of
 * its own, with its own `codchistore` and machines. Two OS users (made by scripts/setup.sh
 * --test-deps; without them, two data folders of root) without `CODCHI_LXD_PROJECT` init a
 * machine of the SAME name in parallel; each sees only its own machine and home; the default
 * project gets nothing; `uninstall` of one removes its project and leaves the other working.
 * Run under `flock /tmp/codchi-lxd.lock` (scripts/test-lxd.sh does).
 */
import { deepStrictEqual as deepEqual, equal, match, ok as assert } from "node:assert/strict";
import { type CliResult, makeHome, REPO, testbedEnv, type TestHome } from "../support/cli.ts";
import { ENGINE } from "../support/engine.ts";
import { asOsUser } from "../support/os_user.ts";
import { execIn, haveTestbed, lxc, ok } from "./cli_support.ts";

const bed = testbedEnv();
const M = "pj";

interface Listed {
  name: string;
  project: string;
}

/** Every instance of every project. */
async function allInstances(): Promise<Listed[]> {
  const out = await lxc("list", "--all-projects", "--format", "json");
  equal(out.code, 0, out.err);
  return JSON.parse(out.text) as Listed[];
}

/** The project codchi chose for a home (from `doctor --json`). */
async function projectOf(home: TestHome): Promise<string> {
  const r = await home.run(["doctor", "--json"]);
  const checks = JSON.parse(r.stdout).checks as { name: string; detail: string }[];
  const row = checks.find((c) => c.name === "project");
  assert(row, r.stdout);
  return row.detail.split(" ")[0];
}

/** Removes a project with everything in it (a failed run's leftovers). */
async function dropProject(p: string): Promise<void> {
  const inst = (await allInstances()).filter((i) => i.project === p);
  for (const i of inst) await lxc("delete", "--force", "--project", p, i.name);
  const imgs = await lxc("image", "list", "--project", p, "--format", "json");
  if (imgs.code === 0) {
    for (const i of JSON.parse(imgs.text) as { fingerprint: string }[]) {
      await lxc("image", "delete", "--project", p, i.fingerprint);
    }
  }
  await lxc("project", "delete", p);
}

/** The OS users scripts/setup.sh --test-deps makes (daemon group, /etc/subuid entries). */
const USERS = ["codchi-ta", "codchi-tb"] as const;

/** uid of an OS user, or undefined. */
function uidOf(user: string): number | undefined {
  const line = Deno.readTextFileSync("/etc/passwd").split("\n").find((l) =>
    l.startsWith(`${user}:`)
  );
  return line ? Number(line.split(":")[2]) : undefined;
}

/** Whether root may map `uid` into containers (raw.idmap needs it; setup.sh adds it). */
function mappable(uid: number): boolean {
  try {
    return Deno.readTextFileSync("/etc/subuid").split("\n").includes(`root:${uid}:1`);
  } catch {
    return false;
  }
}

const osUsersReady = Deno.uid() === 0 &&
  USERS.every((u) => uidOf(u) !== undefined && mappable(uidOf(u)!));

/** A test HOME owned by `user`, whose codchi runs as that user (setpriv) with its own Deno cache. */
async function homeOf(user: string, env: Record<string, string>) {
  const home = await makeHome(env);
  const denoDir = `${home.root}/deno`;
  const from = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
  const sh = (...args: string[]) => new Deno.Command(args[0], { args: args.slice(1) }).output();
  equal((await sh("cp", "-a", from, denoDir)).code, 0);
  equal((await sh("chown", "-R", `${user}:users`, home.root)).code, 0);
  const run = async (args: string[]): Promise<CliResult> => {
    const { cmd, args: argv } = asOsUser(user, [
      Deno.execPath(),
      "run",
      "-A",
      "--quiet",
      `${REPO}/main.ts`,
      ...args,
    ]);
    const out = await new Deno.Command(cmd, {
      args: argv,
      env: { ...home.env, DENO_DIR: denoDir, USER: user, LOGNAME: user },
      clearEnv: true,
      stdin: "null",
    }).output();
    const dec = new TextDecoder();
    const stderr = dec.decode(out.stderr);
    return { code: out.code, stdout: dec.decode(out.stdout), stderr, traces: [] };
  };
  return { ...home, run } as TestHome;
}

Deno.test({
  name: `${ENGINE} cli: one project per data folder; two ${
    osUsersReady ? "OS users" : "data folders of root"
  } at once never see each other`,
  ignore: !haveTestbed(bed),
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  const { CODCHI_LXD_PROJECT: _shared, ...own } = bed;
  // Two OS users when scripts/setup.sh --test-deps made them (CI), else two data folders of root.
  const [a, b] = osUsersReady
    ? await Promise.all(USERS.map((u) => homeOf(u, own)))
    : [await makeHome(own), await makeHome(own)];
  const projects: string[] = [];
  try {
    const before = (await allInstances()).filter((i) => i.project === "default");
    projects.push(await projectOf(a), await projectOf(b));

    await t.step("each data folder has a project of its own, named after user and folder", () => {
      for (const p of projects) match(p, /^codchi-[a-z0-9-]+-[0-9a-f]{8}$/);
      if (osUsersReady) USERS.forEach((u, i) => match(projects[i], new RegExp(`^codchi-${u}-`)));
      assert(projects[0] !== projects[1], projects.join(" "));
    });

    await t.step("two inits of the same machine name in parallel both succeed", async () => {
      const runs = await Promise.all([a, b].map((h) => h.run(["init", M])));
      for (const r of runs) equal(r.code, 0, r.stderr);
      for (const [i, h] of [a, b].entries()) {
        const pin = await Deno.readTextFile(`${h.dataDir}/lxd-project`);
        equal(pin.trim(), projects[i], "the choice is pinned in the data folder");
      }
    });

    await t.step("each project holds its own store and machine; default got nothing", async () => {
      const all = await allInstances();
      for (const p of projects) {
        deepEqual(
          all.filter((i) => i.project === p).map((i) => i.name).sort(),
          ["codchi-pj", "codchistore"],
        );
      }
      deepEqual(
        all.filter((i) => i.project === "default").map((i) => i.name).sort(),
        before.map((i) => i.name).sort(),
      );
    });

    await t.step("each machine sees its own home; status lists only its own", async () => {
      await Deno.writeTextFile(`${a.dataDir}/machine/${M}/who.txt`, "a\n");
      await Deno.writeTextFile(`${b.dataDir}/machine/${M}/who.txt`, "b\n");
      for (const [h, who] of [[a, "a\n"], [b, "b\n"]] as const) {
        const r = await execIn(h, M, ["cat", "/home/codchi/who.txt"]);
        equal(r.code, 0, r.stderr);
        equal(r.stdout, who);
        const mine = await execIn(h, M, ["sh", "-c", "touch ~/mine && stat -c %U ~/mine"]);
        equal(mine.stdout.trim(), "codchi", "the machine user owns what it writes");
        if (osUsersReady) {
          // ... and on the host it belongs to the OS user who runs codchi
          const st = await Deno.stat(`${h.dataDir}/machine/${M}/mine`);
          equal(st.uid, uidOf(USERS[h === a ? 0 : 1]));
        }
        const st = JSON.parse((await ok(h, ["--json", "status"])).stdout) as { name: string }[];
        deepEqual(st.map((m) => m.name), [M]);
      }
    });

    await t.step("uninstall of one removes its project; the other keeps working", async () => {
      const r = await ok(a, ["uninstall", "--i-am-really-sure", "--json"]);
      const removed: string[] = JSON.parse(r.stdout).removed;
      assert(removed.some((x) => x.endsWith(`project ${projects[0]}`)), r.stdout);
      const left = await lxc("project", "show", projects[0]);
      assert(left.code !== 0, "the project is gone");
      const still = await execIn(b, M, ["cat", "/home/codchi/who.txt"]);
      equal(still.code, 0, still.stderr);
      equal(still.stdout, "b\n");
    });
  } finally {
    for (const p of projects) await dropProject(p);
    await a.cleanup();
    await b.cleanup();
  }
});
