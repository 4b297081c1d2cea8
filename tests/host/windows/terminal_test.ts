import { deepEqual, equal, match, notEqual } from "node:assert/strict";
import { guidBytes, uuidV5 } from "../../../src/host/windows/guid.ts";
import {
  fragmentPath,
  generatedWslProfileGuid,
  profileGuid,
  renderFragment,
} from "../../../src/host/windows/terminal.ts";

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

Deno.test("Windows Terminal's generated WSL profile GUIDs (its own list for Debian, Ubuntu, Alpine)", async () => {
  // WslDistroGenerator.cpp (microsoft/terminal) lists these for the distros' generated profiles.
  equal(await generatedWslProfileGuid("Debian"), "{58ad8b0c-3ef8-5f4d-bc6f-13e4c00f2530}");
  equal(await generatedWslProfileGuid("Ubuntu"), "{2c4de342-38b7-51cf-b940-2309a097f518}");
  equal(await generatedWslProfileGuid("Alpine"), "{1777cdf0-b2c4-5a63-a204-eb60f349ea7c}");
});

Deno.test("the fragment is valid JSON: codchi's profile, the generated ones hidden", async () => {
  const exe = "C:\\Users\\ana\\AppData\\Local\\codchi\\bin\\codchi.exe";
  const text = await renderFragment("java", exe);
  const json = JSON.parse(text);
  deepEqual(Object.keys(json), ["profiles"]);
  equal(json.profiles.length, 3);
  deepEqual(json.profiles.slice(1), [
    { updates: await generatedWslProfileGuid("codchi-java"), hidden: true },
    { updates: await generatedWslProfileGuid("codchistore"), hidden: true },
  ]);
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
