/**
 * Tests mirror src/ (docs/architecture.md "Tests"): every unit test file sits in the tests/ folder
 * of the src/ folder it tests (a test of a top-level src/<name>.ts is tests/<name>_test.ts); the
 * other folders are the named real-component suites and the shared support, listed here.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** Top-level tests/ folders that are no src/ mirror: suites named by what they need, support. */
export const NOT_MIRRORS: Record<string, string> = {
  support: "fakes and helpers shared by the tests",
  fakes: "stand-ins of external programs (wsl.exe, usbipd-win)",
  contract: "the lifecycle contract suite every driver runs",
  architecture: "the guard of docs/architecture.md",
  "driver-flake": "the nixpkgs-free driver flake the real suites build with",
  scripts: "tests of scripts/",
  lxd: "real LXD",
  release_lxd: "real LXD + a loopback release",
  git_e2e: "real LXD + a real git server",
  faults: "real LXD under kills and full disks",
  remote: "real LXD/Incus as a remote",
  real_desktop: "Xvfb, weston, PulseAudio, D-Bus, desktop-file-validate",
  real_keyring: "gnome-keyring on a private D-Bus",
  wsl: "the wsl.exe simulator",
  windows: "the Windows deno.exe under Wine",
};

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Every `*_test.ts` below `dir` (relative to tests/). */
async function testFiles(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) {
      if (!rel && e.name in NOT_MIRRORS) continue;
      out.push(...await testFiles(`${dir}/${e.name}`, r));
    } else if (e.name.endsWith("_test.ts")) out.push(r);
  }
  return out.sort();
}

/** Why a unit test file is not where the source it tests is, or undefined. */
async function misplaced(rel: string): Promise<string | undefined> {
  const parts = rel.split("/");
  const file = parts.pop()!;
  if (parts.length === 0) {
    const src = `src/${file.replace(/_test\.ts$/, ".ts")}`;
    return (await exists(`${REPO}${src}`)) ? undefined : `tests/${rel}: no ${src} to test`;
  }
  const folder = parts.join("/");
  return (await exists(`${REPO}src/${folder}`))
    ? undefined
    : `tests/${rel}: no src/${folder}/ (put it in the tests/ folder of what it tests)`;
}

Deno.test("tests mirror src/: every unit test is in its source folder's tests/ folder", async () => {
  const files = await testFiles(`${REPO}tests`);
  assert.ok(files.length > 50, `only ${files.length} unit test files found`);
  const bad = (await Promise.all(files.map(misplaced))).filter((x) => x !== undefined);
  assert.deepEqual(bad, []);
});

Deno.test("tests mirror src/: every top-level tests/ folder is a src/ folder or a named suite", async () => {
  const bad: string[] = [];
  for await (const e of Deno.readDir(`${REPO}tests`)) {
    if (!e.isDirectory || e.name in NOT_MIRRORS) continue;
    if (!(await exists(`${REPO}src/${e.name}`))) bad.push(`tests/${e.name}/`);
  }
  assert.deepEqual(bad.sort(), []);
});

Deno.test("tests layout guard: finds a test beside no source, and a top-level file without one", async () => {
  equalOr(await misplaced("host_linux/desktop_test.ts"), /no src\/host_linux\//);
  equalOr(await misplaced("nowhere_test.ts"), /no src\/nowhere\.ts/);
  assert.equal(await misplaced("host/linux/desktop_test.ts"), undefined);
  assert.equal(await misplaced("errors_test.ts"), undefined);
});

function equalOr(value: string | undefined, re: RegExp) {
  assert.ok(value !== undefined && re.test(value), String(value));
}
