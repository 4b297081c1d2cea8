/** `codchi usb list|attach|detach`: USB devices of the host handed to machines. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg } from "./options.ts";
import { changeUsb, listUsb } from "../core/usb.ts";
import { renderTable } from "../ui.ts";

/** Builds the `usb` command. */
export function usbCommand(ctx: Context) {
  const usb = new Command("usb").description(
    "hand host USB devices to a machine (kept in machine.json, re-applied at start)",
  ).addHelpText(
    "after",
    "\nExamples:\n  codchi usb list\n  codchi usb attach java 046d:c52b\n  codchi usb detach java 046d:c52b",
  );
  usb.command("list").alias("ls")
    .description("list the host's USB devices (id vendor:product, bus, name)")
    .addHelpText("after", "\nExample:\n  codchi usb list --json")
    .action(async () => {
      const rows = await listUsb(ctx.core());
      ctx.ui.result(
        rows.length
          ? renderTable(
            ["ID", "BUS", "NAME"],
            rows.map((d) => [d.id, d.bus, d.name]),
            ctx.ui.opts.color,
          )
          : "No USB devices found on this host.",
        rows,
      );
    });
  for (const op of ["attach", "detach"] as const) {
    usb.command(op)
      .description(
        op === "attach"
          ? "give a machine a USB device (now if it runs, and at every start)"
          : "take a USB device away from a machine",
      )
      .argument("<machine>", "machine name", machineArg)
      .argument("<device>", "vendor:product id (e.g. 046d:c52b) or a bus id from `usb list`")
      .addHelpText("after", `\nExample:\n  codchi usb ${op} java 046d:c52b`)
      .action(async (machine, device) => {
        const res = await changeUsb(ctx.core(), machine, device, op);
        const now = res.applied ? "now" : "at its next start";
        ctx.ui.result(
          op === "attach"
            ? `"${machine}" gets USB device ${device} ${now}.`
            : `"${machine}" no longer gets USB device ${device} (${now}).`,
          res,
        );
      });
  }
  return usb;
}
