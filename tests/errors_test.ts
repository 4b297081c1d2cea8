/**
 * Errors a user can see are typed (`CodchiError`: exit code and hint, `cause` kept); a plain
 * `throw new Error(` in src/ is a bug report (exit 1), allowed only where it is one. The list
 * below is exhaustive: a new plain throw fails this test, and so does an entry that is gone.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  CodchiError,
  DiskFullError,
  ExitCode,
  InterruptedError,
  ToolError,
  typedError,
  UsageError,
} from "../src/errors.ts";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

/**
 * The plain throws that stay: `file` → how many, and why each is a bug (or never reaches a user).
 * Keep it short; anything a user can cause gets a typed error instead.
 */
const ALLOWED: Record<string, { count: number; why: string }> = {
  // Assertions on input codchi itself builds (validated earlier, or constants).
  "process.ts": { count: 2, why: "empty argv: every caller passes a built, non-empty argv" },
  "driver/wsl/argv.ts": { count: 3, why: "builder preconditions: argv, variable names" },
  "driver/wsl/wslenv.ts": { count: 1, why: "variable names come from codchi's own lists" },
  "config/config_edit.ts": { count: 1, why: "key paths are codchi's own (TRAY_SETTING_KEYS)" },
  "driver/lxd/mounts.ts": { count: 2, why: "machine paths are below the config/data dirs" },
  "driver/lxd/remote.ts": {
    count: 2,
    why: "onRemote gets codchi's own argv builders' output (each one unit-tested)",
  },
  "nix/argv.ts": {
    count: 3,
    why: "flake refs, input names and store paths built and checked by codchi",
  },
  "nix/flake.ts": { count: 1, why: "renderMachineFlake called with driver none" },
  "nix/url.ts": { count: 1, why: "localRoot comes from the driver's store view (absolute)" },
  "cli/completion.ts": { count: 1, why: "the completion library's template changed (a build bug)" },
  "release/embedded.ts": { count: 1, why: "the manifest embedded at build time is broken" },
  "core/tar_stream.ts": { count: 1, why: "tar entry paths are codchi's own fixed names" },
  "host/windows/guid.ts": { count: 2, why: "GUIDs are codchi's constants or its own hashes" },
  "host/windows/lnk.ts": { count: 3, why: "shortcut fields codchi builds (exe path, ids)" },
  "host/linux/xauth.ts": { count: 1, why: "a cookie field over 64 KiB cannot come from X" },
  "host/linux/pulse.ts": { count: 1, why: "the server/cookie are codchi's fixed machine paths" },
  "host/windows/cert_bundle.ts": { count: 1, why: "pemBundle checks isWholeDer before derToPem" },
  "core/store_files.ts": { count: 1, why: "config.json values were checked when it was read" },
};

async function plainThrows(): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.name.endsWith(".ts")) {
        const n = (await Deno.readTextFile(p)).split("throw new Error(").length - 1;
        if (n) found[p.slice(SRC.length + 1)] = n;
      }
    }
  };
  await walk(SRC);
  return found;
}

Deno.test("src/ throws plain Errors only where they are bugs (the commented list)", async () => {
  const found = await plainThrows();
  const allowed = Object.fromEntries(Object.entries(ALLOWED).map(([f, a]) => [f, a.count]));
  deepEqual(
    found,
    allowed,
    "a plain `throw new Error(` a user can reach needs a CodchiError subclass (src/errors.ts); " +
      "a true bug assertion goes into ALLOWED with its reason; a removed one leaves the list",
  );
});

Deno.test("src/ never imports the test fakes", async () => {
  const offenders: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (
        e.name.endsWith(".ts") && /tests\/(support|fakes)\//.test(await Deno.readTextFile(p))
      ) {
        offenders.push(p);
      }
    }
  };
  await walk(SRC);
  deepEqual(offenders, []);
});

Deno.test("typed errors keep their cause, exit code and hint", () => {
  const root = new Error("EIO: input/output error");
  const u = new UsageError("bad", "do this", { cause: root });
  equal(u.cause, root);
  equal(u.exitCode, ExitCode.usage);
  equal(u.hint, "do this");
  equal(u.name, "UsageError");
  ok(u instanceof CodchiError);
  const t = new ToolError("nix", "nix failed", "line 1\nline 2", 3, "run -v", { cause: root });
  equal(t.cause, root);
  equal(t.code, 3);
  equal(t.exitCode, ExitCode.tool);
  equal(t.message, "nix failed\n  | line 1\n  | line 2");
  equal(new InterruptedError("stop").cause, undefined);
});

Deno.test("typedError: a full disk becomes a DiskFullError naming the path, the raw one its cause", () => {
  const raw = new Error("No space left on device (os error 28), write '/data/codchi/x.json'");
  const e = typedError(raw);
  ok(e instanceof DiskFullError);
  equal((e as DiskFullError).cause, raw);
  equal((e as DiskFullError).exitCode, ExitCode.tool);
  const bug = new TypeError("x is undefined");
  equal(typedError(bug), bug, "anything else stays a bug (exit 1)");
});

Deno.test("typedError: access denied is a PrerequisiteError (exit 9) naming the path, not a bug", () => {
  // Deno's own message format: "<reason> (os error N): <op> '<path>'".
  const raw = new Deno.errors.PermissionDenied(
    "Permission denied (os error 13): open '/home/u/.config/codchi/machines/a/machine.json'",
  );
  const e = typedError(raw) as CodchiError;
  equal(e.name, "PrerequisiteError");
  equal(e.exitCode, ExitCode.prerequisite);
  equal(e.message, "Permission denied (/home/u/.config/codchi/machines/a/machine.json).");
  ok(e.hint?.includes("owner and mode of /home/u/.config/codchi/machines/a/machine.json"));
  equal(e.cause, raw);
  const ro = typedError(new Error("Read-only file system (os error 30): mkdir '/ro/codchi'"));
  equal((ro as CodchiError).exitCode, ExitCode.prerequisite);
  equal((ro as CodchiError).message, "Permission denied (/ro/codchi).");
  // The disk-full path in the same format.
  const full = typedError(new Error("No space left on device (os error 28): writefile '/d/x'"));
  equal((full as CodchiError).message, "The disk is full (writing /d/x).");
});
