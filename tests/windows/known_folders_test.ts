import { equal, ok } from "node:assert/strict";
import { win32 } from "node:path";
import {
  KNOWN_FOLDERS,
  knownFolder,
  knownFolderEnv,
} from "../../src/host/windows/ffi/known_folders.ts";

Deno.test("every Known Folder codchi uses exists and is absolute", async () => {
  for (const name of Object.keys(KNOWN_FOLDERS) as (keyof typeof KNOWN_FOLDERS)[]) {
    const path = knownFolder(name);
    ok(win32.isAbsolute(path) && /^[A-Z]:\\/i.test(path), `${name}: ${path}`);
    ok((await Deno.stat(path)).isDirectory, `${name} exists: ${path}`);
  }
});

Deno.test("Known Folders agree with the environment and with each other", () => {
  const env = knownFolderEnv();
  equal(env.APPDATA.toLowerCase(), Deno.env.get("APPDATA")!.toLowerCase());
  equal(env.LOCALAPPDATA.toLowerCase(), Deno.env.get("LOCALAPPDATA")!.toLowerCase());
  equal(env.USERPROFILE.toLowerCase(), Deno.env.get("USERPROFILE")!.toLowerCase());
  const programs = knownFolder("Programs");
  equal(win32.dirname(programs).toLowerCase(), knownFolder("StartMenu").toLowerCase());
  equal(win32.dirname(knownFolder("Startup")).toLowerCase(), programs.toLowerCase());
});
