/**
 * docs/nix.md lists every option of codchi's module with its type and default as evaluated:
 * the generated table (scripts/nix_options_doc.ts) is what the docs hold, after `deno fmt`.
 */
import { equal, ok } from "node:assert/strict";
import {
  BEGIN,
  END,
  evaluatedOptions,
  renderOptions,
  withTable,
} from "../../scripts/nix_options_doc.ts";
import { skipReason } from "./_module_eval.ts";

const skip = await skipReason();
if (skip) console.warn(`SKIPPED tests/nix/options_doc_test.ts: ${skip}`);

async function formatted(md: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "md", "-"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(md));
  await w.close();
  return new TextDecoder().decode((await child.output()).stdout);
}

Deno.test({
  name: "docs/nix.md holds the evaluated option table (run scripts/nix_options_doc.ts --write)",
  ignore: !!skip,
  fn: async () => {
    const doc = await Deno.readTextFile(new URL("../../docs/nix.md", import.meta.url));
    const options = await evaluatedOptions();
    ok(options.length >= 12, `${options.length} options`);
    for (const o of options) ok(doc.includes("`" + o.name + "`"), `${o.name} is documented`);
    equal(doc, await formatted(withTable(doc, renderOptions(options))));
    ok(doc.indexOf(BEGIN) < doc.indexOf(END));
  },
});
