/** The start-up copy of the config defaults equals the schema's. */
import assert from "node:assert/strict";
import { defaultConfigQuick } from "../../src/config/defaults.ts";
import { defaultGlobalConfig } from "../../src/config/schema.ts";

Deno.test("defaultConfigQuick() is defaultGlobalConfig()", () => {
  assert.deepEqual(defaultConfigQuick(), defaultGlobalConfig());
  assert.notEqual(defaultConfigQuick(), defaultConfigQuick(), "a fresh copy each call");
});
