/** `codchi clone` refuses bad input with exit 2 before anything is made (real CLI, temp HOME). */
import assert from "node:assert/strict";
import { makeHome } from "../support/cli.ts";
import { listTree } from "./_helpers.ts";

const REPO = "https://127.0.0.1:9/team/app.git";

Deno.test("clone: bad input is exit 2 and leaves the home untouched", async () => {
  // No driver is reachable here (CODCHI_DRIVER=wsl without wsl.exe): each refusal must come first.
  const home = await makeHome({ CODCHI_DRIVER: "wsl", CODCHI_WSL_EXE: "/nonexistent/wsl.exe" });
  try {
    await Deno.mkdir(home.configDir, { recursive: true });
    const before = await listTree(home.root);
    const cases: [string[], RegExp][] = [
      [["clone", "m", "projects/app", "nixosModules.x"], /remote repository/],
      [["clone", "m", REPO, "nixosModules.x", "--dir", "../out"], /not usable as a folder/],
      [["clone", "m", REPO, "nixosModules.x", "--dir", "-o"], /not usable as a folder/],
      [["clone", "m", REPO, "nixos modules"], /not a module path/],
      [["clone", "m", REPO, "nixosModules.x", "--commit", "abc"], /full 40-digit/],
      [["clone", "m", "http://127.0.0.1:9/app", "nixosModules.x"], /plain http/],
      [["clone", "m", REPO, "nixosModules.x", "--branch", "a..b"], /Invalid branch/],
    ];
    for (const [args, re] of cases) {
      const r = await home.run(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(" "));
    }
    // WSL: the machine's home exists only in its running distro, so `clone -N` is refused (exit 7).
    const n = await home.run(["clone", "m", REPO, "nixosModules.x", "-N"]);
    assert.equal(n.code, 7, n.stderr);
    assert.match(n.stderr, /--no-build is not possible with the wsl driver/);
    assert.deepEqual(await listTree(home.root), before, "a refusal left files behind");
  } finally {
    await home.cleanup();
  }
});
