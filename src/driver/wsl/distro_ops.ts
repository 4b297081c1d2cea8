/** Distro-level steps shared by the store and the machines: import, discard, wait, recover. */
import type { posix } from "node:path";
import {
  ConflictError,
  NotFoundError,
  PrerequisiteError,
  tail,
  TimeoutError,
  ToolError,
} from "../../errors.ts";
import type { Reporter } from "../types.ts";
import { exportArgv, importArgv, terminateArgv, unregisterArgv } from "./argv.ts";
import type { WslExe } from "./exe.ts";

/** What the steps need: the door, host path helpers for the host OS, and the start bound. */
export interface DistroCtx {
  exe: WslExe;
  path: typeof posix;
  startTimeoutMs: number;
}

/** A rootfs tarball: a host path, or the release image, downloaded and verified when first needed. */
export type ImageRef = string | ((reporter?: Reporter) => Promise<string>);

/** Whether a host path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Imports `image` as `distro` into `dir` (retrying flaky failures, unregistering a half-made
 * registration before each retry: callers have made sure `distro` did not exist). On failure
 * nothing is left registered and a folder that did not exist before is removed. Returns whether
 * `dir` existed before.
 */
export async function importDistro(
  ctx: DistroCtx,
  distro: string,
  dir: string,
  imageRef: ImageRef,
  reporter?: Reporter,
): Promise<{ dirExisted: boolean }> {
  const image = typeof imageRef === "string" ? imageRef : await imageRef(reporter);
  if (!(await exists(image))) {
    throw new PrerequisiteError(
      `The rootfs image ${image} does not exist.`,
      "Reinstall codchi, or point CODCHI_WSL_STORE_IMAGE / CODCHI_WSL_MACHINE_IMAGE at the images.",
    );
  }
  const disk = ctx.path.join(dir, "ext4.vhdx");
  if (await exists(disk)) {
    throw new ConflictError(
      `${disk} already exists but is not registered as ${distro}.`,
      "Move the file away (it may hold data of an earlier install), then try again.",
    );
  }
  const dirExisted = await exists(dir);
  reporter?.step(`Importing ${distro}`);
  const args = importArgv(distro, dir, image);
  const r = await ctx.exe.callRetry(args, {}, async (n) => {
    if (n > 1) await ctx.exe.call(unregisterArgv(distro)); // a flaky import may half-register
  });
  if (r.out.code !== 0) {
    await discard(ctx, distro, dir, dirExisted, r.kind !== "exists");
    if (r.kind === "exists") {
      throw new ConflictError(
        `A WSL distro named ${distro} already exists.`,
        "Run `codchi status`.",
      );
    }
    throw ctx.exe.fail(args, r);
  }
  return { dirExisted };
}

/** Best-effort removal of a half-made distro (terminate, unregister) and of a folder we made. */
export async function discard(
  ctx: DistroCtx,
  distro: string,
  dir: string,
  dirExisted: boolean,
  unregister = true,
): Promise<void> {
  if (unregister) {
    await ctx.exe.callRetry(terminateArgv(distro)).catch(() => {});
    await ctx.exe.callRetry(unregisterArgv(distro)).catch(() => {});
  }
  if (!dirExisted) await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/** Polls `probe` (as root) in the distro until it exits 0, within the start bound. */
export async function waitReady(
  ctx: DistroCtx,
  distro: string,
  probe: string[],
  what: string,
): Promise<void> {
  const start = performance.now();
  let delay = 100;
  while (performance.now() - start < ctx.startTimeoutMs) {
    const r = await ctx.exe.runIn(distro, probe);
    if (r.out.code === 0) return;
    if (r.kind === "not-found") throw new NotFoundError(`The ${what} is not installed.`);
    if (r.kind && r.kind !== "other") throw ctx.exe.fail(probe, r);
    ctx.exe.o.debug(
      `wsl: ${what} not ready yet (exit ${r.out.code}); polling again in ${delay} ms`,
    );
    await ctx.exe.o.sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
  throw new TimeoutError(
    `The ${what} did not become ready within ${Math.round(ctx.startTimeoutMs / 1000)} s.`,
    "Try `codchi store recover` for the store, or `wsl --shutdown` and try again.",
  );
}

/**
 * Saves the distro (`--export` to `backup`), unregisters it, re-creates it with `reinstall`,
 * then restores the top-level folder `keep` from the saved tar. On failure the tar is kept and
 * the error names it.
 */
export async function recoverDistro(
  ctx: DistroCtx,
  distro: string,
  backup: string,
  keep: string,
  reinstall: () => Promise<void>,
  reporter?: Reporter,
): Promise<void> {
  const exe = ctx.exe;
  reporter?.step(`Saving /${keep} of ${distro}`);
  const exp = await exe.callRetry(exportArgv(distro, backup));
  if (exp.kind === "not-found") throw new NotFoundError(`${distro} is not installed.`);
  if (exp.out.code !== 0) throw exe.fail(exportArgv(distro, backup), exp);
  await exe.must(terminateArgv(distro));
  await exe.must(unregisterArgv(distro));
  const kept = (detail: string) =>
    new ToolError(
      "wsl.exe",
      `Recovering ${distro} failed; its old files are kept in ${backup}.`,
      detail,
    );
  reporter?.step(`Re-creating ${distro} from its image`);
  await reinstall().catch((e) => {
    throw kept(e instanceof Error ? e.message : String(e));
  });
  reporter?.step(`Restoring /${keep}`);
  const script = 'tar -C / -xf "$CODCHI_RECOVER_TAR" "./$1" 2>/dev/null || ' +
    'tar -C / -xf "$CODCHI_RECOVER_TAR" "$1"';
  const r = await exe.runIn(distro, ["/bin/sh", "-c", script, "codchi-restore", keep], {
    vars: { CODCHI_RECOVER_TAR: backup },
    pathVars: ["CODCHI_RECOVER_TAR"],
  });
  if (r.out.code !== 0) throw kept(tail(r.text));
  await Deno.remove(backup).catch(() => {});
}
