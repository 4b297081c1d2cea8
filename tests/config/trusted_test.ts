/** readValidated: a full validation once per path and text; anything else is validated again. */
import assert from "node:assert/strict";
import { readValidated } from "../../src/config/trusted.ts";

Deno.test("readValidated remembers a validation per path and text, and only that", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/machine.json`;
    const rt = `${dir}/run`;
    let calls = 0;
    const validate = async () => {
      calls++;
      const text = await Deno.readTextFile(file).catch(() => null);
      if (text?.includes("bad")) throw new Error("invalid");
      return { parsed: text ? JSON.parse(text) : "default" };
    };
    // Absent: validated (the default), then remembered.
    assert.deepEqual(await readValidated(rt, file, validate), { parsed: "default" });
    assert.deepEqual(await readValidated(rt, file, validate), { parsed: "default" });
    assert.equal(calls, 1);
    await Deno.writeTextFile(file, '{"a":1}');
    assert.deepEqual(await readValidated(rt, file, validate), { parsed: { a: 1 } });
    assert.deepEqual(await readValidated(rt, file, validate), { parsed: { a: 1 } });
    assert.equal(calls, 2);
    // A hand edit is validated again, and a failing validation is never remembered.
    await Deno.writeTextFile(file, '{"a":"bad"}');
    await assert.rejects(() => readValidated(rt, file, validate), /invalid/);
    await assert.rejects(() => readValidated(rt, file, validate), /invalid/);
    assert.equal(calls, 4);
    // Back to the text validated before: that validation still stands.
    await Deno.writeTextFile(file, '{"a":1}');
    assert.deepEqual(await readValidated(rt, file, validate), { parsed: { a: 1 } });
    assert.equal(calls, 4);
    // Another path with the same text is validated on its own.
    const other = `${dir}/other.json`;
    await Deno.writeTextFile(other, '{"a":1}');
    await readValidated(rt, other, validate);
    assert.equal(calls, 5);
    // Bad UTF-8 or a folder: straight to the full reader.
    await Deno.writeFile(file, new Uint8Array([0x7b, 0xff, 0x7d]));
    await readValidated(rt, file, () => Promise.resolve((calls += 10, { parsed: "full" })));
    assert.equal(calls, 15);
    // The records are the user's only.
    for await (const e of Deno.readDir(`${rt}/validated`)) {
      assert.equal((await Deno.stat(`${rt}/validated/${e.name}`)).mode! & 0o077, 0);
    }
    // A record folder of another OS (a relative path here) is never written.
    await readValidated("C:\\Users\\x\\run", file, () => Promise.resolve({ parsed: "x" }));
    await assert.rejects(() => Deno.stat("C:\\Users\\x\\run"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
