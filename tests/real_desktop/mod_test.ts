/** The wired Linux host integration on a real folder tree: manifest stored, removal exact or by scan. */
import assert from "node:assert/strict";
import { computePaths, machinePaths } from "../../src/config/paths.ts";
import { LinuxHost, sessionFiles } from "../../src/host/linux/mod.ts";
import { parseXauthority, serializeXauthority } from "../../src/host/linux/xauth.ts";
import type { Output, Runner } from "../../src/process.ts";

const noRunner: Runner = {
  spawns: 0,
  run(): Promise<Output> {
    throw new Error("no process expected");
  },
};

async function tree() {
  const root = await Deno.makeTempDir({ prefix: "codchi-linuxhost-" });
  const env = { HOME: `${root}/home`, PATH: `${root}/bin`, TERMINAL: "" };
  const paths = computePaths("linux", env);
  const apps = `${root}/apps`;
  await Deno.mkdir(`${apps}/applications`, { recursive: true });
  await Deno.mkdir(`${apps}/icons/hicolor/48x48/apps`, { recursive: true });
  await Deno.writeTextFile(`${apps}/icons/hicolor/48x48/apps/a.png`, "png");
  for (const id of ["a", "b"]) {
    await Deno.writeTextFile(
      `${apps}/applications/${id}.desktop`,
      `[Desktop Entry]\nType=Application\nName=${id}\nExec=${id}\nIcon=a\n`,
    );
  }
  return { root, env, paths, apps };
}

async function exists(p: string) {
  return await Deno.lstat(p).then(() => true, () => false);
}

Deno.test("LinuxHost stores the manifest and removes exactly what it exported", async () => {
  const t = await tree();
  try {
    const host = new LinuxHost({
      paths: t.paths,
      codchi: "/usr/bin/codchi",
      runner: noRunner,
      env: t.env,
    });
    const m = await host.exportAppsWithManifest("dev", t.apps);
    const stored = JSON.parse(await Deno.readTextFile(machinePaths(t.paths, "dev").exported));
    assert.deepEqual(stored, m);
    assert.ok(m.files.some((f) => f.endsWith("codchi.dev.a.desktop")));
    await Deno.remove(`${t.apps}/applications/b.desktop`);
    await host.exportApps("dev", t.apps);
    assert.ok(!(await exists(`${t.paths.applicationsDir}/codchi.dev.b.desktop`)));
    await host.removeApps("dev");
    for (const f of m.files) assert.ok(!(await exists(f)), f);
    assert.ok(!(await exists(machinePaths(t.paths, "dev").exported)));
  } finally {
    await Deno.remove(t.root, { recursive: true });
  }
});

Deno.test("LinuxHost removes by name when the manifest is lost, leaving other machines alone", async () => {
  const t = await tree();
  try {
    const host = new LinuxHost({
      paths: t.paths,
      codchi: "/usr/bin/codchi",
      runner: noRunner,
      env: t.env,
    });
    const dev = await host.exportAppsWithManifest("dev", t.apps);
    const devx = await host.exportAppsWithManifest("dev-x", t.apps);
    await Deno.remove(machinePaths(t.paths, "dev").exported);
    await host.removeApps("dev");
    for (const f of dev.files) assert.ok(!(await exists(f)), f);
    for (const f of devx.files) assert.ok(await exists(f), f);
  } finally {
    await Deno.remove(t.root, { recursive: true });
  }
});

Deno.test("sessionFiles: a fresh wild X cookie and the sound config", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codchi-session-" });
  try {
    const cookie = new Uint8Array(16).fill(3);
    await Deno.writeFile(
      `${dir}/xauth`,
      serializeXauthority([{
        family: 256,
        address: new TextEncoder().encode("box"),
        number: "2",
        name: "MIT-MAGIC-COOKIE-1",
        data: cookie,
      }]),
    );
    await Deno.mkdir(`${dir}/.config/pulse`, { recursive: true });
    await Deno.writeFile(`${dir}/.config/pulse/cookie`, new Uint8Array(256).fill(1));
    const env = { DISPLAY: ":2", XAUTHORITY: `${dir}/xauth`, HOME: dir, XDG_RUNTIME_DIR: "/run/u" };
    const files = await sessionFiles(env, "box", (p) => p === "/run/u/pulse/native");
    assert.ok(files.every((f) => f.owner.uid === 1000 && f.owner.gid === 100));
    assert.deepEqual(files.map((f) => f.path), [
      "/mnt/codchi/Xauthority",
      "/mnt/codchi/pulse-cookie",
      "/mnt/codchi/pulse-client.conf",
    ]);
    const x = parseXauthority(files[0].data);
    assert.equal(x[0].family, 0xffff);
    assert.deepEqual(x[0].data, cookie);
    assert.match(
      new TextDecoder().decode(files[2].data),
      /cookie-file = \/mnt\/codchi\/pulse-cookie/,
    );
    assert.deepEqual(await sessionFiles({ HOME: dir }, "box", () => false), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
