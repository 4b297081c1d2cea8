/** Access tokens never reach flake.nix, argv or error messages. */
import { equal } from "node:assert/strict";
import { buildSystemArgv, discoverModulesArgv, lockArgv } from "../../src/nix/argv.ts";
import { fetchCredentials, withCredentialsArgv } from "../../src/nix/credentials.ts";
import { renderMachineFlake, renderStandaloneFlake } from "../../src/nix/flake.ts";
import { credentialHost, flakeUrl, parseModuleUrl } from "../../src/nix/url.ts";

const TOKENS = ["ghp_SuperSecret123", "glpat-AbC_dEf", "t0k%en/+="];
const URLS = [
  "https://github.com/acme/private",
  "https://gitlab.com/acme/private",
  "https://gitlab.com/acme/sub/private",
  "https://git.example.com:8443/acme/private.git",
  "github:acme/private",
  "sourcehut:~acme/private",
];

Deno.test("with --auth: flake.nix, the lock-relevant URL and argv hold no token", () => {
  for (const url of URLS) {
    const src = parseModuleUrl(url, { auth: true, branch: "main" });
    const host = credentialHost(src)!;
    for (const token of TOKENS) {
      const creds = fetchCredentials([{ host, token }])!;
      const modules = [{ name: "private", source: src, module: "nixosModules.default" }];
      const spec = {
        machine: "m",
        system: "x86_64-linux" as const,
        driverUrl: "github:codchi-dev/codchi?dir=nix",
        modules,
      };
      const texts = [
        renderMachineFlake({ ...spec, driver: "lxd", localRoot: "/data/m" }),
        renderStandaloneFlake(spec),
        flakeUrl(src, { localRoot: "/" }),
        ...withCredentialsArgv(lockArgv("path:/config/machines/m")),
        ...withCredentialsArgv(buildSystemArgv("path:/config/machines/m", "/p/system")),
        ...withCredentialsArgv(discoverModulesArgv(flakeUrl(src, { localRoot: "/" }))),
      ];
      for (const t of texts) {
        for (const secret of creds.secrets) equal(t.includes(secret), false, `${url}: ${t}`);
      }
      equal(creds.stdin.includes(token) || creds.stdin.includes(encodeURIComponent(token)), true);
    }
  }
});

Deno.test("a URL with credentials is refused before anything is rendered", () => {
  for (const token of TOKENS) {
    const input = `https://me:${encodeURIComponent(token)}@github.com/acme/private`;
    let message = "";
    try {
      parseModuleUrl(input);
    } catch (e) {
      message = `${(e as Error).message} ${(e as { hint?: string }).hint ?? ""}`;
    }
    equal(message.length > 0, true);
    equal(message.includes(encodeURIComponent(token)), false, message);
  }
});
