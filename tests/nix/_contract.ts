/** Test helpers around nix/contract.json as the images see it (nix/contract.nix). */

const CONTRACT_NIX = new URL("../../nix/contract.nix", import.meta.url).pathname;

/** The contract.sh the images carry, evaluated from nix/contract.nix by nix-instantiate. */
export async function contractShellVars(): Promise<string> {
  const out = await new Deno.Command("nix-instantiate", {
    args: [
      "--option",
      "substituters",
      "",
      "--eval",
      "--strict",
      "--json",
      "-E",
      `(import ${CONTRACT_NIX}).shellVars`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}
