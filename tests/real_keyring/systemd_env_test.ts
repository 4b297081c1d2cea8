/**
 * systemd's own env-file parser on the rendered `/etc/codchi-env`. Without a running systemd, a
 * real systemd program that parses such a file is used: systemd-hostnamed reads
 * /etc/machine-info with the same parser as `EnvironmentFile=` and serves LOCATION over D-Bus.
 * It runs in a private mount namespace (an overlay on /etc whose machine-info links to a temp
 * file) on a private bus, so the host is untouched. Needs root; run by scripts/test-host-secrets.sh.
 */
import { assertEquals } from "../secrets/_assert.ts";
import { machineVarName, renderEnvFile } from "../../src/secrets/env_file.ts";
import { hostileSecrets } from "../secrets/hostile_values.ts";

const HOSTNAMED = ["/lib/systemd/systemd-hostnamed", "/usr/lib/systemd/systemd-hostnamed"]
  .find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
const ignore = Deno.env.get("CODCHI_TEST_SYSTEMD_PARSER") !== "1" || !HOSTNAMED;

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
  return {
    code: out.code,
    out: new TextDecoder().decode(out.stdout),
    err: new TextDecoder().decode(out.stderr),
  };
}

Deno.test({
  name: "systemd's parser (via systemd-hostnamed) reads every rendered hostile value exactly",
  ignore,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "codchi-sd-" });
    const bus = `unix:path=${tmp}/bus`;
    const children: Deno.ChildProcess[] = [];
    try {
      await Deno.mkdir(`${tmp}/up`);
      await Deno.mkdir(`${tmp}/work`);
      await Deno.writeTextFile(
        `${tmp}/bus.conf`,
        `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>${bus}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/>
<allow eavesdrop="true"/><allow own="*"/></policy></busconfig>\n`,
      );
      await Deno.writeTextFile(`${tmp}/machine-info`, "LOCATION=start\n");
      children.push(
        new Deno.Command("dbus-daemon", {
          args: [`--config-file=${tmp}/bus.conf`, "--nofork", "--nopidfile"],
          stdout: "null",
          stderr: "null",
        }).spawn(),
      );
      for (let i = 0; i < 100 && !exists(`${tmp}/bus`); i++) await sleep(50);
      const script =
        `mount -t overlay overlay -o lowerdir=/etc,upperdir=${tmp}/up,workdir=${tmp}/work /etc` +
        ` && ln -sf ${tmp}/machine-info /etc/machine-info && exec ${HOSTNAMED}`;
      children.push(
        new Deno.Command("unshare", {
          args: ["-m", "sh", "-c", script],
          env: { DBUS_SYSTEM_BUS_ADDRESS: bus },
          stdout: "null",
          stderr: "null",
        }).spawn(),
      );
      const location = async () => {
        const r = await run("busctl", [
          `--address=${bus}`,
          "--timeout=5",
          "--json=short",
          "get-property",
          "org.freedesktop.hostname1",
          "/org/freedesktop/hostname1",
          "org.freedesktop.hostname1",
          "Location",
        ]);
        if (r.code !== 0) throw new Error(r.err);
        return (JSON.parse(r.out) as { data: string }).data;
      };
      for (let i = 0;; i++) {
        try {
          assertEquals(await location(), "start");
          break;
        } catch (e) {
          if (i > 60) throw e;
          await sleep(50);
        }
      }

      const secrets = hostileSecrets(41, 40);
      const text = renderEnvFile(secrets);
      for (const [name, value] of Object.entries(secrets)) {
        // The whole rendered file, with the line under test renamed to the key hostnamed serves.
        const marker = `\n${machineVarName(name)}='`;
        const file = text.replace(marker, "\nLOCATION='");
        await Deno.writeTextFile(`${tmp}/machine-info.new`, file);
        await Deno.rename(`${tmp}/machine-info.new`, `${tmp}/machine-info`);
        assertEquals(await location(), value, `value of ${name}: ${JSON.stringify(value)}`);
      }
    } finally {
      for (const c of children.reverse()) {
        try {
          c.kill("SIGTERM");
        } catch { /* already gone */ }
        await c.status;
      }
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
