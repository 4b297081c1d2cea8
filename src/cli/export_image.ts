/** `codchi export`: the machine's configuration as a VM image (NixOS's own image builders). */
import { Command, Option } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg } from "./options.ts";
import { exportImage } from "../core/vm_export.ts";
import { IMAGE_FORMATS } from "../core/vm_image.ts";

/** Builds the `export` command. */
export function exportCommand(ctx: Context) {
  const formats = IMAGE_FORMATS.map((f) =>
    `  ${f.format.padEnd(10)} ${f.what}${f.suffixes.length ? ` (${f.suffixes.join(", ")})` : ""}`
  ).join("\n");
  return new Command("export")
    .description(
      "build the machine's configuration as a VM image (qcow2, raw, vmdk, vhdx, ova, iso) and write it to a file",
    )
    .argument("<name>", "machine name", machineArg)
    .argument("<file>", "image file to write; its ending picks the format unless --format is given")
    .addOption(
      new Option("--format <format>", "image format").choices(IMAGE_FORMATS.map((f) => f.format)),
    )
    .addHelpText(
      "after",
      `\nFormats (NixOS's own image builders, run in the store with driver "none"):\n${formats}\n` +
        "\nThe image holds the configuration only; `codchi tar` carries the home and state.\n" +
        "\nExamples:\n  codchi export java java.qcow2\n  codchi export java disk.img --format raw-efi",
    )
    .action(async (name, file, opts) => {
      const res = await exportImage(ctx.core(), name, file, { format: opts.format });
      ctx.ui.result(`Wrote ${res.file} (${res.format}, ${res.bytes} bytes).`, res);
    });
}
