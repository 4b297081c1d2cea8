import { deepEqual, equal, throws } from "node:assert/strict";
import {
  bootStateOf,
  hostStateOf,
  isAlreadyStopped,
  isNotFound,
  parseImageAliases,
  parseList,
} from "../../../src/driver/lxd/parse.ts";
import { ToolError } from "../../../src/errors.ts";

const LIST = JSON.stringify([
  {
    name: "codchistore",
    status: "Running",
    devices: { "codchi-nix": { type: "disk", path: "/nix", source: "/d/nix" } },
  },
  { name: "codchi-a", status: "Stopped", devices: {}, config: { "environment.X": "1", n: 3 } },
  { name: "codchi-b", status: "Running" },
  { name: "codchi-Bad_Name", status: "Running" },
  { name: "codchimera", status: "Running" },
  { name: "codchi-c", status: "Frozen", config: { "x": "y" }, state: null },
]);

Deno.test("parseList keeps name, status and the container's own devices", () => {
  const l = parseList(LIST);
  equal(l.length, 6);
  deepEqual(l[0].devices, { "codchi-nix": { type: "disk", path: "/nix", source: "/d/nix" } });
  deepEqual(l[1].config, { "environment.X": "1" });
  deepEqual(parseList("[]"), []);
});

Deno.test("parseList rejects what is not a JSON list", () => {
  throws(() => parseList("Error: not json"), ToolError);
  throws(() => parseList("{}"), ToolError);
});

Deno.test("hostStateOf: store, machines (valid names only), running only when Running", () => {
  const s = hostStateOf(parseList(LIST));
  deepEqual(s.store, { installed: true, running: true });
  deepEqual([...s.machines.entries()], [
    ["a", { running: false }],
    ["b", { running: true }],
    ["c", { running: false }],
  ]);
  deepEqual(hostStateOf([]).store, { installed: false, running: false });
});

Deno.test("bootStateOf classifies systemctl is-system-running", () => {
  equal(bootStateOf("running\n"), "ready");
  equal(bootStateOf("degraded\n"), "ready");
  equal(bootStateOf("starting\n"), "booting");
  equal(bootStateOf("offline\n"), "booting");
  equal(bootStateOf(""), "booting");
  equal(bootStateOf("maintenance\n"), "failed");
});

Deno.test("error texts", () => {
  equal(isNotFound("Error: Instance not found"), true);
  equal(isNotFound("Error: Failed to start"), false);
  equal(isAlreadyStopped("Error: The instance is already stopped"), true);
});

Deno.test("parseImageAliases", () => {
  deepEqual(
    parseImageAliases(
      JSON.stringify([{ aliases: [{ name: "a" }, { name: "b" }] }, { aliases: [] }, {}]),
    ),
    ["a", "b"],
  );
  deepEqual(parseImageAliases("nope"), []);
});
