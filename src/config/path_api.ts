/** node:path's full API for one OS (posix or win32); kept apart so start-up never loads it. */
import { posix, win32 } from "node:path";
import type { HostOs } from "./paths.ts";

/** Path helpers for one OS (posix or win32). */
export function pathApi(os: HostOs): typeof posix {
  return os === "windows" ? win32 : posix;
}
