/**
 * The wsl.exe simulator: wsl.exe's argv, output (UTF-16LE unless WSL_UTF8=1), exit codes and
 * error texts, with distros that are real root folders in which commands really run.
 * State lives in WSL_SIM_STATE; WSL_SIM_LOG gets one JSON line per call.
 */
import { dirname, join, resolve } from "node:path";
import { type Call, parseArgs, shellCommandLine } from "./args.ts";
import { decideFault, faultConfig, faultsActive } from "./faults.ts";
import {
  boot,
  findUser,
  hostViewOf,
  isRunning,
  killDistro,
  readIni,
  tar,
  unpack,
  writeDisk,
} from "./distro.ts";
import { type Distro, findDistro, nsOf, type Registry, statePaths, withRegistry } from "./state.ts";
import {
  ALREADY_EXISTS,
  BAD_ARCHIVE,
  encodeWsl,
  FAILURES,
  failureText,
  FILE_NOT_FOUND,
  LOCATION_IN_USE,
  NO_DISTROS,
  NOT_STOPPED,
  notFound,
  OK_LINE,
  plainList,
  SPARSE_DISABLED,
  USER_NOT_FOUND,
  verboseTable,
  versionText,
  WSL_ERROR_EXIT,
  type WslFailure,
} from "./text.ts";
import { linuxEnvFromWslEnv, windowsToLinuxPath } from "./wslenv.ts";

const env = Deno.env.toObject();
const utf8 = env.WSL_UTF8 === "1";
const stateDir = resolve(env.WSL_SIM_STATE ?? join(Deno.env.get("TMPDIR") ?? "/tmp", "wsl-sim"));
const simVersion = env.WSL_SIM_VERSION ?? "2.0.14.0";

/** Thrown to end the call with wsl.exe's own failure text. */
class Failure extends Error {
  constructor(readonly failure: WslFailure, readonly toStderr = false) {
    super(failure.message);
  }
}

function print(text: string, toStderr = false): void {
  const bytes = encodeWsl(text, utf8);
  (toStderr ? Deno.stderr : Deno.stdout).writeSync(bytes);
}

function versionAtLeast(v: string, major: number, minor: number): boolean {
  const [a, b] = v.split(".").map(Number);
  return a > major || (a === major && b >= minor);
}

async function main(): Promise<number> {
  const started = performance.now();
  const argv = [...Deno.args];
  let op = "invalid";
  let fault: string | undefined;
  let code = WSL_ERROR_EXIT;
  try {
    const parsed = parseArgs(argv);
    if (!parsed.ok) throw new Failure(parsed.failure);
    const call = parsed.call;
    op = call.op;
    if (env.WSL_SIM_LATENCY_MS) await sleep(Number(env.WSL_SIM_LATENCY_MS));
    fault = await injectedFault(op);
    if (fault) throw new Failure(FAILURES[fault as keyof typeof FAILURES], call.op === "exec");
    code = await run(call);
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    print(failureText(e.failure), e.toStderr);
    code = WSL_ERROR_EXIT;
  } finally {
    await logCall(argv, op, code, fault, performance.now() - started);
  }
  return code;
}

async function injectedFault(op: string): Promise<string | undefined> {
  const cfg = faultConfig(env);
  if (!faultsActive(cfg)) return undefined;
  if (cfg.ops.length && !cfg.ops.includes(op)) return undefined;
  const key = JSON.stringify(cfg);
  return await withRegistry(stateDir, (reg) => {
    const n = reg.faultCalls[key] ?? 0;
    reg.faultCalls[key] = n + 1;
    return decideFault(cfg, op, n);
  });
}

async function logCall(argv: string[], op: string, code: number, fault?: string, ms = 0) {
  if (!env.WSL_SIM_LOG) return;
  const line = JSON.stringify({
    t: new Date().toISOString(),
    pid: Deno.pid,
    op,
    argv,
    code,
    fault,
    ms: Math.round(ms),
  });
  await Deno.writeTextFile(env.WSL_SIM_LOG, line + "\n", { append: true });
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

function mustFind(reg: Registry, name: string, where = "Wsl/Service"): Distro {
  const d = findDistro(reg, name);
  if (!d) throw new Failure(notFound(where));
  return d;
}

async function run(call: Call): Promise<number> {
  switch (call.op) {
    case "version":
      print(versionText(simVersion));
      return 0;
    case "list":
      return await withRegistry(stateDir, (reg) => list(reg, call));
    case "import":
      return await importTar(call);
    case "import-in-place":
      return await importInPlace(call.distro, call.vhdx);
    case "unregister":
      return await withRegistry(stateDir, async (reg) => {
        const d = mustFind(reg, call.distro, "Wsl/Service/UnregisterDistro");
        print("Unregistering.\n");
        if (d.initPid) await killDistro(d.initPid, d.initNs);
        await Deno.remove(d.root, { recursive: true }).catch(() => {});
        await Deno.remove(d.vhd).catch(() => {});
        reg.distros = reg.distros.filter((x) => x !== d);
        if (reg.defaultDistro === d.name) reg.defaultDistro = reg.distros[0]?.name;
        print(OK_LINE + "\n");
        return 0;
      });
    case "terminate":
      return await withRegistry(stateDir, async (reg) => {
        await stop(mustFind(reg, call.distro, "Wsl/Service/TerminateDistro"));
        print(OK_LINE + "\n");
        return 0;
      });
    case "shutdown":
      return await withRegistry(stateDir, async (reg) => {
        for (const d of reg.distros) await stop(d);
        if (reg.vmPid) await killDistro(reg.vmPid, reg.vmNs);
        reg.vmPid = undefined;
        reg.vmNs = undefined;
        return 0;
      });
    case "manage":
      return await withRegistry(stateDir, (reg) => {
        const d = mustFind(reg, call.distro);
        if (isRunning(d)) throw new Failure(NOT_STOPPED);
        print("Conversion in progress, this may take a few minutes.\n");
        if (call.sparse && !call.allowUnsafe && versionAtLeast(simVersion, 2, 5)) {
          throw new Failure(SPARSE_DISABLED);
        }
        d.sparse = call.sparse;
        print(OK_LINE + "\n");
        return 0;
      });
    case "export":
      return await withRegistry(stateDir, async (reg) => {
        const d = mustFind(reg, call.distro, "Wsl/Service/ExportDistro");
        print("Export in progress, this may take a few minutes.\n");
        const tmp = `${call.file}.wsl-sim.tmp`;
        await tar(["--numeric-owner", "-cf", tmp, "-C", d.root, "."]);
        await Deno.rename(tmp, call.file);
        print(OK_LINE + "\n");
        return 0;
      });
    case "exec":
      return await exec(call);
  }
}

function list(reg: Registry, call: Extract<Call, { op: "list" }>): number {
  const entries = reg.distros
    .filter((d) => !call.running || d.state === "Running")
    .map((d) => ({
      name: d.name,
      state: d.state,
      version: 2,
      isDefault: d.name === reg.defaultDistro,
    }));
  if (call.quiet) {
    print(entries.map((e) => e.name + "\n").join(""));
    return 0;
  }
  if (reg.distros.length === 0) throw new Failure(NO_DISTROS);
  if (entries.length === 0) {
    print("There are no running distributions.\n");
    return 0;
  }
  print(call.verbose ? verboseTable(entries) : plainList(entries));
  return 0;
}

async function stop(d: Distro): Promise<void> {
  if (d.state !== "Running" && !d.initPid) return;
  if (d.initPid) await killDistro(d.initPid, d.initNs);
  d.state = "Stopped";
  d.initPid = undefined;
  d.initNs = undefined;
  await writeDisk(d);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function register(name: string, basePath: string): Promise<Distro> {
  return await withRegistry(stateDir, async (reg) => {
    if (findDistro(reg, name)) throw new Failure(ALREADY_EXISTS);
    const vhd = join(basePath, "ext4.vhdx");
    if (reg.distros.some((d) => d.vhd === vhd)) throw new Failure(LOCATION_IN_USE);
    const guid = crypto.randomUUID();
    const d: Distro = {
      name,
      guid,
      basePath,
      vhd,
      root: join(statePaths(stateDir).roots, guid),
      state: "Installing",
      sparse: false,
      defaultUid: 0,
    };
    if (await exists(d.root)) throw new Error("simulator: root folder clash");
    reg.distros.push(d);
    reg.defaultDistro ??= name;
    return d;
  });
}

async function finishInstall(d: Distro, work: () => Promise<void>): Promise<number> {
  try {
    await work();
  } catch (e) {
    await Deno.remove(d.root, { recursive: true }).catch(() => {});
    await withRegistry(stateDir, (reg) => {
      reg.distros = reg.distros.filter((x) => x.guid !== d.guid);
      if (reg.defaultDistro === d.name) reg.defaultDistro = reg.distros[0]?.name;
    });
    if (e instanceof Failure) throw e;
    throw new Failure(BAD_ARCHIVE);
  }
  await withRegistry(stateDir, (reg) => {
    const x = reg.distros.find((y) => y.guid === d.guid);
    if (x) x.state = "Stopped";
  });
  print(OK_LINE + "\n");
  return 0;
}

async function importTar(call: Extract<Call, { op: "import" }>): Promise<number> {
  const basePath = resolve(call.dir);
  if (!(await exists(call.tar))) throw new Failure(FILE_NOT_FOUND);
  if (await exists(join(basePath, "ext4.vhdx"))) throw new Failure(LOCATION_IN_USE);
  print("Import in progress, this may take a few minutes.\n");
  const d = await register(call.distro, basePath);
  return await finishInstall(d, async () => {
    await Deno.mkdir(basePath, { recursive: true });
    await unpack(call.tar, d.root);
    // The disk holds what was unpacked: the tarball itself will do until the distro stops.
    await Deno.copyFile(call.tar, `${d.vhd}.tmp`);
    await Deno.rename(`${d.vhd}.tmp`, d.vhd);
  });
}

async function importInPlace(name: string, vhdx: string): Promise<number> {
  const file = resolve(vhdx);
  if (!(await exists(file))) throw new Failure(FILE_NOT_FOUND);
  const d = await register(name, dirname(file));
  d.vhd = file;
  await withRegistry(stateDir, (reg) => {
    const x = reg.distros.find((y) => y.guid === d.guid);
    if (x) x.vhd = file;
  });
  return await finishInstall(d, () => unpack(file, d.root));
}

async function exec(call: Extract<Call, { op: "exec" }>): Promise<number> {
  const { d, initPid } = await withRegistry(stateDir, async (reg) => {
    const name = call.distro ?? reg.defaultDistro;
    if (!name) throw new Failure(NO_DISTROS, true);
    const d = findDistro(reg, name);
    if (!d || d.state === "Installing") {
      throw new Failure(notFound("Wsl/Service/CreateInstance"), true);
    }
    if (!isRunning(d)) {
      d.initPid = await boot(stateDir, reg, d, env);
      d.initNs = nsOf(d.initPid);
      d.state = "Running";
    }
    return { d, initPid: d.initPid as number };
  });
  const conf = await readIni(join(d.root, "etc/wsl.conf"));
  const who = call.user ?? conf.get("user.default") ?? d.defaultUid;
  const user = await findUser(d.root, who);
  if (!user) throw new Failure(USER_NOT_FOUND, true);

  const linuxEnv: Record<string, string> = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    SHELL: user.shell,
    TERM: env.TERM ?? "xterm-256color",
    LANG: "C.UTF-8",
    NAME: d.name,
    HOSTTYPE: "x86_64",
    WSL_DISTRO_NAME: d.name,
    WSL_INTEROP: "/run/WSL/1_interop",
    ...linuxEnvFromWslEnv(env, d.name),
  };
  if (env.WSLENV !== undefined) linuxEnv.WSLENV = env.WSLENV;

  let argv: string[];
  if (call.mode === "exec") argv = call.argv;
  else if (call.argv.length === 0) argv = [user.shell, ...(call.mode === "login" ? ["-l"] : [])];
  else {
    argv = [
      user.shell,
      ...(call.mode === "login" ? ["-l"] : []),
      "-c",
      shellCommandLine(call.argv),
    ];
  }

  let cwd = user.home;
  if (call.cwd) {
    cwd = call.cwd === "~"
      ? user.home
      : call.cwd.startsWith("~/")
      ? join(user.home, call.cwd.slice(2))
      : windowsToLinuxPath(call.cwd, d.name);
  }
  const root = hostViewOf(initPid, d.root, "/");
  let wd = hostViewOf(initPid, d.root, cwd);
  if (!(await exists(wd))) {
    if (call.cwd) {
      print(`chdir(${cwd}) failed 2\n`, true);
      return 1;
    }
    wd = root;
  }
  const child = new Deno.Command("/usr/bin/nsenter", {
    args: [
      `--target=${initPid}`,
      "--mount",
      "--pid",
      `--root=${root}`,
      `--wd=${wd}`,
      `--setgid=${user.gid}`,
      `--setuid=${user.uid}`,
      "--",
      ...argv,
    ],
    clearEnv: true,
    env: linuxEnv,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const status = await child.status;
  return status.signal ? 128 + signalNumber(status.signal) : status.code;
}

function signalNumber(sig: string): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return table[sig] ?? 1;
}

Deno.exit(await main());
