import { deepEqual, equal, match, notEqual } from "node:assert/strict";
import { guidBytes, uuidV5 } from "../../src/host/windows/guid.ts";
import { fragmentPath, profileGuid, renderFragment } from "../../src/host/windows/terminal.ts";

Deno.test("UUIDv5 matches the RFC example (DNS namespace, www.example.com)", async () => {
  equal(
    await uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"),
    "2ed6657d-e927-568b-95e1-2665a8aea6a2",
  );
});

Deno.test("profile GUIDs are stable per machine and differ between machines", async () => {
  equal(await profileGuid("java"), await profileGuid("java"));
  notEqual(await profileGuid("java"), await profileGuid("rust"));
  match(
    await profileGuid("java"),
    /^\{[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\}$/,
  );
});

Deno.test("the fragment is valid JSON with one profile", async () => {
  const exe = "C:\\Users\\ana\\AppData\\Local\\codchi\\bin\\codchi.exe";
  const text = await renderFragment("java", exe);
  const json = JSON.parse(text);
  deepEqual(Object.keys(json), ["profiles"]);
  equal(json.profiles.length, 1);
  const p = json.profiles[0];
  equal(p.name, "Codchi - java");
  equal(p.commandline, `${exe} exec java`);
  equal(p.guid, await profileGuid("java"));
  equal(p.icon, exe);
  equal(
    JSON.parse(await renderFragment("x", "C:\\Program Files\\codchi\\codchi.exe")).profiles[0]
      .commandline,
    '"C:\\Program Files\\codchi\\codchi.exe" exec x',
  );
  equal(text.endsWith("}\n"), true);
  equal(/,\s*[}\]]/.test(text), false); // no trailing commas
});

Deno.test("fragment path", () => {
  equal(
    fragmentPath(
      "C:\\Users\\ana\\AppData\\Local\\Microsoft\\Windows Terminal\\Fragments\\codchi",
      "java",
    ),
    "C:\\Users\\ana\\AppData\\Local\\Microsoft\\Windows Terminal\\Fragments\\codchi\\java.json",
  );
});

Deno.test("GUID bytes are mixed-endian like Windows stores them", () => {
  deepEqual(
    [...guidBytes("{00021401-0000-0000-C000-000000000046}")],
    [1, 20, 2, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46],
  );
});
