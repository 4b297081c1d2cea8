/**
 * The top-level table (src/cli/commands.ts) is true to the commands it loads: names, aliases,
 * help terms and descriptions; unknown words get suggestions; the fast paths and the full parser
 * agree (version, help, groups without a subcommand).
 */
import assert from "node:assert/strict";
import type { Command } from "@commander-js/extra-typings";
import {
  COMMANDS,
  editDistance,
  findCommand,
  rootHelp,
  suggestCommands,
} from "../../src/cli/commands.ts";
import { commandIndex, fastPath, protectExecArgs } from "../../src/cli/argv.ts";
import { buildProgram, commandsFor } from "../../src/cli/program.ts";
import { Context } from "../../src/cli/context.ts";
import { Ui, uiOptions } from "../../src/ui.ts";
import { makeHome, REPO } from "../support/cli.ts";

function testContext(): Context {
  const ui = new Ui(uiOptions({}, {}, false, false), () => {}, () => {});
  return new Context({ HOME: "/tmp/codchi-commands-test", PATH: "" }, ui);
}

Deno.test("the table matches every real command: name, aliases, term, description, hidden", async () => {
  const program = await buildProgram(testContext()) as unknown as Command;
  const help = program.createHelp();
  const real = program.commands as unknown as Command[];
  for (const info of COMMANDS) {
    const cmd = real.find((c) => c.name() === info.name);
    assert.ok(cmd, `${info.name}: no such command`);
    assert.deepEqual(cmd.aliases(), info.aliases, `${info.name}: aliases`);
    assert.equal(
      cmd.description(),
      info.description,
      `${info.name}: description (keep src/cli/commands.ts true)`,
    );
    const term = help.subcommandTerm(cmd as never);
    if (info.name !== "complete") {
      assert.equal(
        term,
        [info.name, ...info.aliases.slice(0, 1)].join("|") + (info.args ? ` ${info.args}` : ""),
      );
    }
    assert.equal(!!(cmd as unknown as { _hidden: boolean })._hidden, !!info.hidden, info.name);
  }
  const names = real.map((c) => c.name()).filter((n) => n !== "help");
  assert.deepEqual(
    names.sort(),
    COMMANDS.map((c) => c.name).sort(),
    "a command is not in the table",
  );
});

Deno.test("commandsFor loads the invoked command only (all of them for the completions)", () => {
  assert.deepEqual(commandsFor(["rebuild", "m"]), ["rebuild"]);
  assert.deepEqual(commandsFor(["-v", "rm", "m"]), ["delete"]);
  assert.deepEqual(commandsFor(["help", "mod"]), ["module"]);
  assert.deepEqual(commandsFor(["--frob"]), ["status"]);
  assert.deepEqual(commandsFor(["help"]), []);
  assert.equal(commandsFor(["complete", "--", "codchi", ""]), "all");
  assert.equal(commandsFor(["completion", "bash"]), "all");
  assert.equal(findCommand("dup")?.name, "duplicate");
});

Deno.test("fastPath takes only the plain forms", () => {
  const fp = (a: string[]) => fastPath(protectExecArgs(a));
  assert.deepEqual(fp([]), { kind: "status" });
  assert.deepEqual(fp(["--json", "status", "-q"]), { kind: "status" });
  assert.deepEqual(fp(["-V"]), { kind: "version" });
  assert.deepEqual(fp(["--json", "--version"]), { kind: "version" });
  assert.deepEqual(fp(["-vq", "--help"]), { kind: "help" });
  assert.deepEqual(fp(["exec", "m"]), { kind: "exec", name: "m", cmd: [] });
  assert.deepEqual(fp(["run", "m", "ls", "-la"]), { kind: "exec", name: "m", cmd: ["ls", "-la"] });
  assert.deepEqual(fp(["-v", "exec", "m", "--", "a", "--", "b"]), {
    kind: "exec",
    name: "m",
    cmd: ["a", "--", "b"],
  });
  for (
    const a of [
      ["exec"],
      ["exec", "-h"],
      ["exec", "--json", "m"],
      ["status", "x"],
      ["status", "--frob"],
      ["--version", "--help"],
      ["--frob"],
      ["rebuild", "m"],
      ["-V", "status"],
    ]
  ) assert.equal(fp(a), undefined, a.join(" "));
  assert.equal(commandIndex(["-v", "--", "exec"]), -1);
});

Deno.test("suggestions: close names and aliases, nothing for far ones", () => {
  assert.equal(editDistance("statsu", "status"), 1);
  assert.deepEqual(suggestCommands("statsu"), ["status"]);
  assert.deepEqual(suggestCommands("exce"), ["exec"]);
  assert.deepEqual(suggestCommands("rebiuld"), ["rebuild"]);
  assert.deepEqual(suggestCommands("xyzzy"), []);
  assert.ok(!suggestCommands("complet").includes("complete"), "hidden commands are not offered");
});

Deno.test("CLI: unknown commands, groups without a subcommand, -V and --json help/version", async () => {
  const { version } = JSON.parse(await Deno.readTextFile(`${REPO}/deno.json`));
  const home = await makeHome();
  try {
    const [unknown, far, mod, sec, store, storeJson, v, vJson, hJson, execJson, help] =
      await Promise.all([
        home.run(["statsu"]),
        home.run(["xyzzy", "a"]),
        home.run(["module"]),
        home.run(["secrets"]),
        home.run(["store"]),
        home.run(["--json", "store"]),
        home.run(["-V"]),
        home.run(["--json", "--version"]),
        home.run(["--json", "--help"]),
        home.run(["--json", "exec", "--help"]),
        home.run(["help"]),
      ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^error: Unknown command 'statsu'\. Did you mean status\?/);
    assert.match(unknown.stderr, /codchi --help/);
    assert.equal(far.code, 2);
    assert.match(far.stderr, /^error: Unknown command 'xyzzy'\.\n/);
    for (const [g, r] of [["module", mod], ["secrets", sec], ["store", store]] as const) {
      assert.equal(r.code, 2, `${g} alone`);
      assert.match(r.stderr, new RegExp(`^Usage: codchi ${g}`), `${g} alone prints its help`);
      assert.match(r.stderr, new RegExp(`error: \`codchi ${g}\` needs a subcommand`));
      assert.equal(r.stdout, "");
    }
    assert.equal(storeJson.code, 2);
    assert.equal(JSON.parse(storeJson.stderr).error.type, "UsageError");
    assert.equal(v.code, 0);
    assert.equal(v.stdout, `${version}\n`);
    assert.deepEqual(JSON.parse(vJson.stdout), { version });
    const h = JSON.parse(hJson.stdout);
    assert.equal(h.name, "codchi");
    assert.deepEqual(
      h.commands.map((c: { name: string }) => c.name),
      COMMANDS.filter((c) => !c.hidden).map((c) => c.name),
    );
    const e = JSON.parse(execJson.stdout);
    assert.equal(e.name, "exec");
    assert.deepEqual(e.aliases, ["run"]);
    assert.deepEqual(e.arguments.map((a: { name: string }) => a.name), ["name", "cmd"]);
    assert.match(e.help, /^Usage: codchi exec\|run /);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: codchi \[options\] \[command\]/);
  } finally {
    await home.cleanup();
  }
});

Deno.test("the root help is the same from the top level and from the parser", async () => {
  const program = await buildProgram(testContext(), ["status"]) as unknown as Command;
  assert.equal(program.helpInformation(), rootHelp());
  const home = await makeHome();
  try {
    const [fast, helpCmd] = await Promise.all([home.run(["-v", "--help"]), home.run(["help"])]);
    assert.equal(fast.code, 0);
    assert.equal(fast.stdout, rootHelp());
    assert.equal(helpCmd.stdout, rootHelp());
  } finally {
    await home.cleanup();
  }
});
