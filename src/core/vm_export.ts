/**
 * `codchi export <machine> <file>`: the machine's configuration built in the store as a VM image
 * by NixOS's own image builders (`system.build.images.<variant>`) with driver `none` (a plain
 * NixOS, as a VM boots it), then copied to a host path (temp name, renamed when complete). The
 * state and the home are not in the image: `codchi tar` carries those.
 */
import { machinePaths } from "../config/paths.ts";
import { writeFileAtomic } from "../config/store.ts";
import { PrerequisiteError, ToolError } from "../errors.ts";
import { buildImageArgv, imageFilePathArgv, machineFlakeRef } from "../nix/argv.ts";
import { renderImageFlake } from "../nix/flake.ts";
import type { CoreContext } from "./context.ts";
import { targetFile } from "./export.ts";
import { driverFlakeUrl, hostSystem } from "./flake.ts";
import { withMachine } from "./journal_ops.ts";
import { loadMachine } from "./machines.ts";
import { nixSettings, storeNix } from "./nix_ops.ts";
import { machineCredentials } from "./credentials.ts";
import { imageAttr, pickImageFormat } from "./vm_image.ts";

/** What `codchi export` wrote. */
export interface ImageExportResult {
  file: string;
  format: string;
  /** NixOS's image variant that made it. */
  variant: string;
  bytes: number;
  /** The image's store path (kept until the next `codchi gc`). */
  storePath: string;
}

/** Checks the format and the target first (nothing is built on a bad one), then builds and copies. */
export async function exportImage(
  ctx: CoreContext,
  name: string,
  file: string,
  opts: { format?: string },
): Promise<ImageExportResult> {
  const fmt = pickImageFormat(file, opts.format);
  const out = await targetFile(file, "the image");
  const paths = await ctx.paths();
  const cfg = await loadMachine(paths, name);
  const driver = await ctx.driver();
  const hostNix = driver.store.view.hostNix;
  if (!hostNix) {
    throw new PrerequisiteError(
      "VM images cannot be exported here yet: the store's /nix is not a host folder codchi can " +
        "copy the image from (it is a WSL disk, or a volume on a remote server).",
      `Export the machine with \`codchi tar ${name} ${name}.tar.zst\` and build the image from ` +
        `its flake on a NixOS host: nixos-rebuild build-image --image-variant ${fmt.variant} ` +
        "--flake .#default",
    );
  }
  const r = ctx.reporter;
  return await withMachine(ctx, name, async () => {
    await driver.store.ensureRunning(r);
    // The flake beside the machine's (not inside it: the machine's flake source stays as it is),
    // with the machine's lock, so the image has exactly the machine's inputs.
    const dir = machinePaths(paths, name).imageFlakeDir;
    const ref = machineFlakeRef(`${driver.store.view.configDir}/images/${name}`);
    await Deno.mkdir(dir, { recursive: true });
    try {
      await writeFileAtomic(
        `${dir}/flake.nix`,
        renderImageFlake({
          machine: cfg.name,
          system: hostSystem(),
          driverUrl: await driverFlakeUrl(ctx.env, paths, driver),
          modules: cfg.modules.map((m) => ({
            name: m.name,
            source: m.source,
            module: m.modulePath,
          })),
          nixpkgsFrom: cfg.nixpkgsFrom === "local" ? undefined : cfg.nixpkgsFrom,
          localRoot: driver.store.view.machineHome(cfg.name),
        }),
      );
      const lock = machinePaths(paths, name).lock;
      await Deno.copyFile(lock, `${dir}/flake.lock`).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
      const attr = imageAttr(fmt.variant);
      const settings = {
        creds: await machineCredentials(ctx, name),
        ...(await nixSettings(ctx, name)),
      };
      r.step(`Building a ${fmt.format} image of "${name}" in the store (${fmt.what})`);
      const built = await storeNix(driver, buildImageArgv(ref, attr), r, settings);
      const storePath = builtOutPath(built.text);
      const inner = (await storeNix(driver, imageFilePathArgv(ref, attr), r, settings)).text.trim();
      if (!/^[^/][^\0]*$/.test(inner) || inner.split("/").includes("..")) {
        throw new ToolError("nix", `The image names an odd file inside it: ${inner}`);
      }
      const src = `${hostNix}${storePath.slice("/nix".length)}/${inner}`;
      const bytes = (await Deno.stat(src)).size;
      r.step(`Copying the image (${Math.round(bytes / 1048576)} MiB) to ${out}`);
      const tmp = `${out}.codchi-tmp-${Deno.pid}`;
      try {
        await Deno.copyFile(src, tmp);
        await Deno.chmod(tmp, 0o644).catch(() => {});
        await Deno.rename(tmp, out);
      } catch (e) {
        await Deno.remove(tmp).catch(() => {});
        throw e;
      }
      return { file: out, format: fmt.format, variant: fmt.variant, bytes, storePath };
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  });
}

/** The `out` path from `nix build --json`'s result (one derivation). */
export function builtOutPath(json: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ToolError("nix", "nix build printed no result to read the image's path from.");
  }
  const out = Array.isArray(parsed)
    ? (parsed[0] as { outputs?: Record<string, unknown> })?.outputs?.out
    : undefined;
  if (typeof out !== "string" || !/^\/nix\/store\/[a-z0-9]{32}-/.test(out)) {
    throw new ToolError("nix", `nix build named no image in the store: ${json.slice(0, 200)}`);
  }
  return out;
}
