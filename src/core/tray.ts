/** `codchi tray`: the tray icon process. */
import { NotImplementedError } from "../errors.ts";
import type { CoreContext } from "./context.ts";

/** Runs the tray until quit. */
export function runTray(_ctx: CoreContext): Promise<void> {
  return Promise.reject(new NotImplementedError("The tray is not wired in yet."));
}
