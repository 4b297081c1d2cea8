/**
 * `codchi.driver.wsl.networkIsolation` under nixpkgs' real module system (../shared/nixpkgs-lib,
 * tests/nix/eval): off by default; on a WSL machine it puts the contract's tools file into the
 * system's /etc, naming iproute2's ip and nftables' nft; the machine image's init.sh looks for
 * exactly that file, and netns.sh uses exactly those variables; nothing on LXD or without driver.
 */
import { equal, match, ok } from "node:assert/strict";
import { NETNS } from "../../src/contract.ts";
import { evalCases, skipReason } from "./_module_eval.ts";

const skip = await skipReason();
if (skip) console.warn(`SKIPPED tests/nix/netns_module_test.ts: ${skip}`);

const ON = "{ codchi.driver.wsl.networkIsolation = true; }";
const ETC_KEY = NETNS.toolsFile.replace(/^\/etc\//, "");
const NETNS_SH = await Deno.readTextFile(
  new URL("../../nix/container/machine/netns.sh", import.meta.url),
);
const INIT_SH = await Deno.readTextFile(
  new URL("../../nix/container/machine/init.sh", import.meta.url),
);

Deno.test({
  name: "networkIsolation: off by default; on WSL the tools file names ip and nft; LXD never",
  ignore: !!skip,
  fn: async () => {
    const [wslOff, wslOn, lxdOn, noneOn] = await evalCases([
      { driver: "wsl" },
      { driver: "wsl", nix: [ON] },
      { driver: "lxd", nix: [ON] },
      { nix: [ON] },
    ]);
    for (const e of [wslOff, wslOn, lxdOn, noneOn]) equal(e.failedAssertions.length, 0);
    equal(wslOff.etc[ETC_KEY], undefined);
    equal(lxdOn.etc[ETC_KEY], undefined);
    equal(noneOn.etc[ETC_KEY], undefined);
    const tools = wslOn.etc[ETC_KEY];
    ok(tools?.enable, "the tools file is in /etc");
    const text = tools.text ?? "";
    match(text, /^CODCHI_NETNS_IP=\/nix\/store\/[0-9a-f]{32}-iproute2-[^/]+\/bin\/ip$/m);
    match(text, /^CODCHI_NETNS_NFT=\/nix\/store\/[0-9a-f]{32}-nftables-[^/]+\/bin\/nft$/m);
    // Exactly the variables netns.sh reads, as plain NAME=value lines init.sh can source.
    const names = text.trim().split("\n").map((l) => l.split("=")[0]).sort();
    const used = [...new Set(NETNS_SH.match(/\$\{?CODCHI_NETNS_(IP|NFT)\b/g))].map((v) =>
      v.replace(/^\$\{?/, "")
    ).sort();
    equal(names.join(" "), used.join(" "));
    // init.sh looks for the file the contract names, in the system profile.
    ok(INIT_SH.includes('tools="$system$CODCHI_NETNS_TOOLS_FILE"'));
    // The option is documented and off by default.
    const opt = wslOn.options.find((o) => o.name === "codchi.driver.wsl.networkIsolation");
    equal(opt?.default, "false");
    match(opt?.description ?? "", /localhost/);
  },
});
