/**
 * The script codchi-env.service runs (taken from the evaluated module, nix/nixos/driver/
 * secrets.nix), run for real with bash against an env file the host renders
 * (src/secrets/env_file.ts) and a recording `systemctl`: exactly the CODCHI_ variables reach
 * systemd's manager, with their values, and the host's proxy is set for services too.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { CONTRACT, ENV_FILE } from "../../src/contract.ts";
import { renderProxyFile } from "../../src/core/host_proxy.ts";
import { renderEnvFile } from "../../src/secrets/env_file.ts";
import { evalCases, skipReason } from "./_module_eval.ts";

const skip = await skipReason();
if (skip) console.warn(`SKIPPED tests/nix/env_load_script_test.ts: ${skip}`);

Deno.test({
  name: "codchi-env.service imports exactly the env file's CODCHI_ variables and the proxy",
  ignore: !!skip,
  fn: async () => {
    const [e] = await evalCases([{ driver: "lxd" }]);
    const unit = e.services[CONTRACT.units.env.replace(/\.service$/, "")];
    let script: string = unit.serviceConfig.ExecStart.script;
    const dir = await Deno.makeTempDir({ prefix: "codchi-env-load-" });
    // The stand-in store paths of bash and systemd → this machine's bash and a recorder.
    const bash = script.match(/\/nix\/store\/[0-9a-f]{32}-bash-[^/]+\/bin\/bash/)?.[0];
    const systemctl = script.match(/\/nix\/store\/[0-9a-f]{32}-systemd-[^/]+\/bin\/systemctl/)
      ?.[0];
    ok(bash && systemctl, script);
    await Deno.writeTextFile(
      `${dir}/systemctl`,
      `#!/bin/bash\ncmd=$1; shift\nfor a in "$@"; do\n` +
        `  if [ "$cmd" = import-environment ]; then printf '%s\\0' "$cmd $a=\${!a}";\n` +
        `  else printf '%s\\0' "$cmd $a"; fi\ndone >> ${dir}/calls\n`,
    );
    await Deno.chmod(`${dir}/systemctl`, 0o755);
    script = script.replaceAll(bash, "/bin/bash").replaceAll(systemctl, `${dir}/systemctl`)
      .replaceAll(ENV_FILE, `${dir}/env`).replaceAll(CONTRACT.proxyFile, `${dir}/proxy.env`);
    const secret = 'it\'s $HOME `x` \\ "q"\nline two ünï';
    await Deno.writeTextFile(
      `${dir}/env`,
      renderEnvFile({ TOKEN: secret, "app.db-password": "p" }) + "OTHER='not for services'\n",
    );
    await Deno.writeTextFile(
      `${dir}/proxy.env`,
      renderProxyFile({ https_proxy: "http://proxy.invalid:3128" })!,
    );
    await Deno.writeTextFile(`${dir}/load.sh`, script);
    const out = await new Deno.Command("/bin/bash", {
      args: [`${dir}/load.sh`],
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin" },
      stderr: "piped",
    }).output();
    equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const calls = (await Deno.readTextFile(`${dir}/calls`)).split("\0").filter((c) => c);
    deepStrictEqual(calls.sort(), [
      `import-environment CODCHI_TOKEN=${secret}`,
      "import-environment CODCHI_app_db_password=p",
      "set-environment HTTPS_PROXY=http://proxy.invalid:3128",
      "set-environment https_proxy=http://proxy.invalid:3128",
    ]);
    await Deno.remove(dir, { recursive: true });
  },
});
