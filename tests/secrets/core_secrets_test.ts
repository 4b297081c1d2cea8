import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { NotFoundError, UsageError } from "../../src/errors.ts";
import { redact } from "../../src/process.ts";
import {
  type DeclaredSecret,
  findDeclared,
  missingSecretsError,
  normalizeDeclared,
  planSecrets,
  readSecretValue,
  secretQuestion,
  syncSecrets,
} from "../../src/core/secrets.ts";
import { MemorySecretStore } from "../../src/secrets/memory_store.ts";

const DECLARED = {
  GITHUB_TOKEN: { name: "GITHUB_TOKEN", description: "token for api.github.com" },
  "npm.token": { name: "npm.token", description: "" },
  DB_PASSWORD: { name: "DB_PASSWORD", description: "local postgres" },
};

Deno.test("plan: keep stored, take env, ask missing, forget undeclared", () => {
  const plan = planSecrets(["A", "B", "C", "d.e"], ["A", "B", "OLD"], {
    CODCHI_SECRET_B: "from env",
    CODCHI_SECRET_d_e: "",
  });
  assertEquals(plan, { keep: ["A"], fromEnv: ["B", "d.e"], ask: ["C"], forget: ["OLD"] });
});

Deno.test("declared: name field wins, names validated, collisions refused", () => {
  assertEquals(normalizeDeclared({ X: { name: "", description: "d" } }), [{
    name: "X",
    description: "d",
  }]);
  assertThrows(() => normalizeDeclared({ "a b": { name: "a b", description: "" } }), UsageError);
  assertThrows(
    () =>
      normalizeDeclared({
        "a-b": { name: "a-b", description: "" },
        a_b: { name: "a_b", description: "" },
      }),
    UsageError,
  );
});

Deno.test("missing without a prompt: ONE error naming every missing secret and both fixes", async () => {
  const store = new MemorySecretStore();
  await store.set("m", "DB_PASSWORD", "stored");
  const err = await assertRejects(
    () => syncSecrets({ machine: "m", declared: DECLARED, store, env: {} }),
    UsageError,
  );
  for (
    const s of ["GITHUB_TOKEN", "npm.token", "CODCHI_SECRET_npm_token", "token for api.github.com"]
  ) {
    assert(err.message.includes(s), `message names ${s}: ${err.message}`);
  }
  assert(!err.message.includes("DB_PASSWORD"));
  assert(err.hint!.includes("codchi secrets set m <NAME>"));
  assert(err.hint!.includes("CODCHI_SECRET_GITHUB_TOKEN=… codchi rebuild m"));
  assertEquals(await store.list("m"), ["DB_PASSWORD"], "nothing written before failing");
});

Deno.test("sync: env supplies values non-interactively and they are saved", async () => {
  const store = new MemorySecretStore();
  await store.set("m", "GITHUB_TOKEN", "old");
  await store.set("m", "REMOVED", "gone soon");
  const env = {
    CODCHI_SECRET_GITHUB_TOKEN: "new'$`\\\n",
    CODCHI_SECRET_npm_token: "npm-secret-value",
    CODCHI_SECRET_DB_PASSWORD: "",
  };
  const res = await syncSecrets({ machine: "m", declared: DECLARED, store, env });
  assertEquals(res.values, {
    GITHUB_TOKEN: "new'$`\\\n",
    "npm.token": "npm-secret-value",
    DB_PASSWORD: "",
  });
  assertEquals(res.plan.forget, ["REMOVED"]);
  assertEquals(await store.list("m"), ["DB_PASSWORD", "GITHUB_TOKEN", "npm.token"]);
  assertEquals(await store.get("m", "GITHUB_TOKEN"), "new'$`\\\n");
  assertEquals(redact("x npm-secret-value y"), "x *** y", "values are registered for redaction");
});

Deno.test("sync: asks only for missing ones, with the description, in name order", async () => {
  const store = new MemorySecretStore();
  await store.set("m", "DB_PASSWORD", "kept-value");
  const asked: DeclaredSecret[] = [];
  const res = await syncSecrets({
    machine: "m",
    declared: DECLARED,
    store,
    env: {},
    prompt: (s) => {
      asked.push(s);
      return Promise.resolve(`typed-${s.name}`);
    },
  });
  assertEquals(asked.map((s) => s.name), ["GITHUB_TOKEN", "npm.token"]);
  assertEquals(asked[0].description, "token for api.github.com");
  assertEquals(res.values.DB_PASSWORD, "kept-value");
  assertEquals(await store.get("m", "npm.token"), "typed-npm.token");
  assertEquals(res.plan.keep, ["DB_PASSWORD"]);
});

Deno.test("sync: a prompted value with NUL is refused and not stored", async () => {
  const store = new MemorySecretStore();
  await assertRejects(
    () =>
      syncSecrets({
        machine: "m",
        declared: { A: { name: "A", description: "" } },
        store,
        env: {},
        prompt: () => Promise.resolve("a\0b"),
      }),
    UsageError,
  );
  assertEquals(await store.list("m"), []);
});

Deno.test("sync: nothing declared forgets everything stored for the machine only", async () => {
  const store = new MemorySecretStore();
  await store.set("m", "A", "1");
  await store.set("other", "A", "2");
  const res = await syncSecrets({ machine: "m", declared: {}, store, env: {} });
  assertEquals(res.values, {});
  assertEquals(await store.list("m"), []);
  assertEquals(await store.list("other"), ["A"]);
});

Deno.test("secrets set: prompt on a terminal, stdin otherwise; checked", async () => {
  const secret = { name: "TOKEN", description: "the token" };
  const io = (isTerminal: boolean, value: string) => ({
    isTerminal,
    prompt: (q: string) => Promise.resolve(`${value} via prompt: ${q}`),
    readStdin: () => Promise.resolve(value),
  });
  assertEquals(await readSecretValue(secret, "m", io(false, "piped")), "piped");
  assertEquals(
    await readSecretValue(secret, "m", io(true, "x")),
    `x via prompt: ${secretQuestion(secret, "m")}`,
  );
  assert(secretQuestion(secret, "m").includes("the token"));
  await assertRejects(() => readSecretValue(secret, "m", io(false, "\0")), UsageError);
});

Deno.test("findDeclared: NotFoundError listing what is declared", () => {
  assertEquals(findDeclared(DECLARED, "m", "npm.token").name, "npm.token");
  const err = assertThrows(() => findDeclared(DECLARED, "m", "NOPE"), NotFoundError);
  assert(err.hint!.includes("GITHUB_TOKEN"));
  assert(missingSecretsError("m", [{ name: "A", description: "" }]).message.includes("a secret"));
});

Deno.test("missingSecretsError at its count boundary: 1 is 'a secret', 2 and 3 are counted", () => {
  const s = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ name: `S${i}`, description: i ? "" : "first" }));
  const one = missingSecretsError("m", s(1));
  assert(one.message.includes('Machine "m" needs a secret with no value'), one.message);
  for (const n of [2, 3]) {
    const e = missingSecretsError("m", s(n));
    assert(e.message.includes(`Machine "m" needs ${n} secrets with no value`), e.message);
    // Every missing one is named, each on its own line, with its host variable.
    assertEquals(e.message.split("\n").length, n + 1);
    for (let i = 0; i < n; i++) assert(e.message.includes(`(or CODCHI_SECRET_S${i})`));
  }
  assert(one.message.includes("S0 — first (or CODCHI_SECRET_S0)"));
  assert(one.hint!.includes("CODCHI_SECRET_S0=… codchi rebuild m"));
});
