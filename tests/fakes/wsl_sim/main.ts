/**
 * The wsl.exe simulator: wsl.exe's argv, output (UTF-16LE unless WSL_UTF8=1), exit codes and
 * error texts (in the display language WSL_SIM_LOCALE, as release WSL_SIM_VERSION words them),
 * with distros that are real root folders in which commands really run, and WSL's lifecycle:
 * a distro stops when no wsl.exe call has been attached to it for WSL_SIM_IDLE_MS (WSL's
 * general.instanceIdleTimeout, default 15 s), the VM WSL_SIM_VM_IDLE_MS after the last distro
 * stopped (wsl2.vmIdleTimeout, default 60 s; both src/windows/common/WslCoreConfig.h); the timers
 * are checked at every call, and `wsl.exe --sim-fire-idle` (the simulator's own control verb)
 * fires them at once. `[boot] systemd=true` runs the distro's /sbin/init and waits for systemd
 * as WSL's init does. State lives in WSL_SIM_STATE; WSL_SIM_LOG gets one JSON line per call.
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
  systemdEnabled,
  tar,
  unpack,
  writeDisk,
} from "./distro.ts";
import {
  type Distro,
  findDistro,
  nsOf,
  procStart,
  type Registry,
  statePaths,
  withRegistry,
} from "./state.ts";
import { localeOf } from "./resw.ts";
import {
  alreadyExists,
  BAD_ARCHIVE,
  encodeWsl,
  FAILURES,
  failureText,
  FILE_NOT_FOUND,
  invalidArgument,
  locationInUse,
  noDistros,
  noneRunning,
  NOT_STOPPED,
  notFound,
  OK_LINE,
  plainList,
  progress,
  sparseDisabled,
  type Speech,
  userNotFound,
  userSessionWarning,
  verboseTable,
  versionAtLeast,
  versionText,
  WSL_ERROR_EXIT,
  type WslFailure,
} from "./text.ts";
import {
  linuxEnvFromWslEnv,
  processPath,
  translateWindowsPath,
  windowsToLinuxPath,
} from "./wslenv.ts";

const env = Deno.env.toObject();
const utf8 = env.WSL_UTF8 === "1";
const stateDir = resolve(env.WSL_SIM_STATE ?? join(Deno.env.get("TMPDIR") ?? "/tmp", "wsl-sim"));
const simVersion = env.WSL_SIM_VERSION ?? "2.0.14.0";
const speech: Speech = { locale: localeOf(env.WSL_SIM_LOCALE), version: simVersion };
const idleMs = Number(env.WSL_SIM_IDLE_MS ?? "15000");
const vmIdleMs = Number(env.WSL_SIM_VM_IDLE_MS ?? "60000");

/** Thrown to end the call with wsl.exe's own failure text (always on stdout, as wsl.exe does). */
class Failure extends Error {
  constructor(readonly failure: WslFailure) {
    super(failure.message);
  }
}

function print(text: string, toStderr = false): void {
  const bytes = encodeWsl(text, utf8);
  (toStderr ? Deno.stderr : Deno.stdout).writeSync(bytes);
}

/** Text the Linux side writes (not wsl.exe's own): plain UTF-8 bytes. */
function printLinux(text: string, toStderr = true): void {
  (toStderr ? Deno.stderr : Deno.stdout).writeSync(new TextEncoder().encode(text));
}

async function main(): Promise<number> {
  const started = performance.now();
  const argv = [...Deno.args];
  let op = "invalid";
  let fault: string | undefined;
  let code = WSL_ERROR_EXIT;
  try {
    if (argv[0] === "--sim-fire-idle") {
      op = "sim-fire-idle";
      await withRegistry(stateDir, (reg) => reapIdle(reg, Infinity));
      return (code = 0);
    }
    const parsed = parseArgs(argv);
    if (!parsed.ok) throw new Failure(invalidArgument(speech, parsed.badArg));
    const call = parsed.call;
    op = call.op;
    if (env.WSL_SIM_LATENCY_MS) await sleep(Number(env.WSL_SIM_LATENCY_MS));
    await withRegistry(stateDir, (reg) => reapIdle(reg, Date.now()));
    fault = await injectedFault(op);
    if (fault === "hang") {
      await logCall(argv, op, -1, fault, performance.now() - started);
      setInterval(() => {}, 1 << 30); // never returns, as wsl.exe after the host slept
      await new Promise(() => {});
    }
    if (fault) throw new Failure(FAILURES[fault as keyof typeof FAILURES]);
    code = await run(call);
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    print(failureText(e.failure, speech));
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
  if (!d) throw new Failure(notFound(speech, where));
  return d;
}

async function run(call: Call): Promise<number> {
  switch (call.op) {
    case "version":
      print(versionText(speech));
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
        print(progress(speech, "MessageStatusUnregistering"));
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
        await stop(reg, mustFind(reg, call.distro, "Wsl/Service/TerminateDistro"));
        print(OK_LINE + "\n");
        return 0;
      });
    case "shutdown":
      return await withRegistry(stateDir, async (reg) => {
        for (const d of reg.distros) await stop(reg, d);
        await stopVm(reg);
        return 0;
      });
    case "manage":
      return await withRegistry(stateDir, (reg) => {
        const d = mustFind(reg, call.distro);
        if (isRunning(d)) throw new Failure(NOT_STOPPED);
        print(progress(speech, "MessageConversionStart"));
        if (call.sparse && !call.allowUnsafe && versionAtLeast(simVersion, 2, 5)) {
          throw new Failure(sparseDisabled(speech));
        }
        d.sparse = call.sparse;
        print(OK_LINE + "\n");
        return 0;
      });
    case "export":
      return await withRegistry(stateDir, async (reg) => {
        const d = mustFind(reg, call.distro, "Wsl/Service/ExportDistro");
        print(progress(speech, "MessageExportProgress"));
        // `--format vhd` copies the disk through WSL: consistent even while it is attached.
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

/**
 * `--list` as WslClient.cpp's ListDistributionsHelper: `--verbose` and the plain list fail with
 * WSL_E_DEFAULT_DISTRO_NOT_FOUND when nothing is installed, `--quiet` prints nothing and
 * succeeds; `--running` (not with --verbose, which ignores it) prints MessageNoRunningDistro and
 * exits -1 when none runs.
 */
function list(reg: Registry, call: Extract<Call, { op: "list" }>): number {
  const all = reg.distros.map((d) => ({
    name: d.name,
    state: d.state,
    version: 2,
    isDefault: d.name === reg.defaultDistro,
  }));
  if (call.verbose) {
    if (all.length === 0) throw new Failure(noDistros(speech));
    print(verboseTable(all));
    return 0;
  }
  let entries = call.running ? all.filter((e) => e.state === "Running") : all;
  if (call.running && !call.quiet && entries.length === 0) {
    print(noneRunning(speech));
    return WSL_ERROR_EXIT;
  }
  entries = entries.filter((e) => e.state !== "Installing");
  if (call.quiet) {
    print(entries.map((e) => e.name + "\n").join(""));
    return 0;
  }
  if (entries.length === 0) throw new Failure(noDistros(speech));
  print(plainList(entries, speech));
  return 0;
}

/**
 * Stops a distro (its processes end). Its disk stays attached to the VM until the VM stops
 * (`--shutdown` or the VM's idle timeout), so the disk file is brought up to date only then.
 */
async function stop(reg: Registry, d: Distro): Promise<void> {
  if (d.state === "Running" || d.initPid) {
    if (d.initPid) await killDistro(d.initPid, d.initNs);
    d.state = "Stopped";
    d.initPid = undefined;
    d.initNs = undefined;
    d.bootWaited = undefined;
    d.sessions = undefined;
  }
  reg.clients = (reg.clients ?? []).filter((c) => c.guid !== d.guid);
  if (!reg.distros.some((x) => x.state === "Running")) reg.vmIdleSince = Date.now();
}

/** Stops the VM: every distro's disk is detached (written). */
async function stopVm(reg: Registry): Promise<void> {
  for (const d of reg.distros) {
    if (d.attached) {
      await writeDisk(d);
      d.attached = false;
    }
  }
  if (reg.vmPid) await killDistro(reg.vmPid, reg.vmNs);
  reg.vmPid = undefined;
  reg.vmNs = undefined;
  reg.vmIdleSince = undefined;
}

/** Whether a wsl.exe process is still attached to the distro. */
function hasClients(reg: Registry, d: Distro): boolean {
  reg.clients = (reg.clients ?? []).filter((c) => procStart(c.pid) === c.start);
  return reg.clients.some((c) => c.guid === d.guid);
}

/**
 * The idle timers, as of `now` (Infinity: fire them): idle distros stop; the VM stops when no
 * distro ran for its own timeout (when fired: only if none was running before this call).
 */
async function reapIdle(reg: Registry, now: number): Promise<void> {
  let stopped = false;
  for (const d of reg.distros) {
    if (!isRunning(d) || hasClients(reg, d)) continue;
    if (now - (d.lastActive ?? 0) >= idleMs) {
      await stop(reg, d);
      stopped = true;
    }
  }
  const running = reg.distros.some((d) => d.state === "Running");
  const vmIdle = now === Infinity ? !stopped : now - (reg.vmIdleSince ?? 0) >= vmIdleMs;
  if (!running && reg.vmPid && vmIdle) await stopVm(reg);
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
    if (findDistro(reg, name)) throw new Failure(alreadyExists(speech));
    const vhd = join(basePath, "ext4.vhdx");
    if (reg.distros.some((d) => d.vhd === vhd)) throw new Failure(locationInUse(speech));
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
  if (await exists(join(basePath, "ext4.vhdx"))) throw new Failure(locationInUse(speech));
  print(progress(speech, "MessageImportProgress"));
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
  const { d, initPid, fresh } = await withRegistry(stateDir, async (reg) => {
    const name = call.distro ?? reg.defaultDistro;
    if (!name) throw new Failure(noDistros(speech, "Wsl/Service/CreateInstance/GetDefaultDistro"));
    const d = findDistro(reg, name);
    if (!d || d.state === "Installing") {
      throw new Failure(notFound(speech, "Wsl/Service/CreateInstance"));
    }
    let fresh = false;
    if (!isRunning(d)) {
      d.initPid = await boot(stateDir, reg, d, env);
      d.initNs = nsOf(d.initPid);
      d.state = "Running";
      d.bootedAt = Date.now();
      d.attached = true;
      d.bootWaited = undefined;
      d.sessions = [];
      fresh = true;
    }
    reg.clients = [...(reg.clients ?? []), {
      pid: Deno.pid,
      start: procStart(Deno.pid) ?? "",
      guid: d.guid,
    }];
    reg.vmIdleSince = undefined;
    return { d, initPid: d.initPid as number, fresh };
  });
  try {
    return await execIn(call, d, initPid, fresh);
  } finally {
    await withRegistry(stateDir, (reg) => {
      reg.clients = (reg.clients ?? []).filter((c) => c.pid !== Deno.pid);
      const x = reg.distros.find((y) => y.guid === d.guid);
      if (x) x.lastActive = Date.now();
    });
  }
}

/** The boot.initTimeout of wsl.conf (WslDistributionConfig.h: 10 s), or WSL_SIM_INIT_TIMEOUT_MS. */
function initTimeout(conf: Map<string, string>): number {
  const v = conf.get("boot.inittimeout") ?? env.WSL_SIM_INIT_TIMEOUT_MS;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 10_000;
}

/** Runs a check as root inside the distro through its /bin/sh (WSL's UtilExecCommandLine). */
async function shCheck(initPid: number, d: Distro, script: string): Promise<boolean> {
  const root = hostViewOf(initPid, d.root, "/");
  const out = await new Deno.Command("/usr/bin/nsenter", {
    args: [`--target=${initPid}`, "--mount", "--net", "--pid", `--root=${root}`, `--wd=${root}`]
      .concat(["--"])
      .concat(["/bin/sh", "-c", script]),
    clearEnv: true,
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output().catch(() => ({ success: false }));
  return out.success;
}

/** Polls `script` every 250 ms until it succeeds or `untilMs` (RetryWithTimeout in init). */
async function pollUntil(initPid: number, d: Distro, script: string, untilMs: number) {
  for (;;) {
    if (await shCheck(initPid, d, script)) return true;
    if (Date.now() >= untilMs) return false;
    await sleep(250);
  }
}

/**
 * With `[boot] systemd=true`, WSL's init waits (WaitForBootProcess, init.cpp) until
 * `systemctl is-system-running` says running or degraded, at most boot.initTimeout from boot,
 * and goes on either way; then it creates a login session once per uid and boot
 * (CreateLoginSession, config.cpp: waits for `systemctl is-active user@<uid>.service`, at most
 * boot.initTimeout), printing MessageSystemdUserSessionFailed on stderr when that fails.
 */
async function systemdGate(d: Distro, initPid: number, uid: number, user: string) {
  const conf = await readIni(join(d.root, "etc/wsl.conf"));
  const limit = initTimeout(conf);
  const current = () => withRegistry(stateDir, (reg) => reg.distros.find((x) => x.guid === d.guid));
  const now = await current();
  if (!now?.bootWaited) {
    await pollUntil(
      initPid,
      d,
      'systemctl is-system-running | grep -E "running|degraded"',
      (d.bootedAt ?? Date.now()) + limit,
    );
    await withRegistry(stateDir, (reg) => {
      const x = reg.distros.find((y) => y.guid === d.guid);
      if (x) x.bootWaited = true;
    });
  }
  const first = await withRegistry(stateDir, (reg) => {
    const x = reg.distros.find((y) => y.guid === d.guid);
    if (!x || (x.sessions ?? []).includes(uid)) return false;
    x.sessions = [...(x.sessions ?? []), uid];
    return true;
  });
  if (!first) return;
  const ok = await pollUntil(
    initPid,
    d,
    `systemctl is-active user@${uid}.service`,
    Date.now() + limit,
  );
  if (!ok) printLinux(userSessionWarning(speech, user));
}

async function execIn(
  call: Extract<Call, { op: "exec" }>,
  d: Distro,
  initPid: number,
  _fresh: boolean,
): Promise<number> {
  const conf = await readIni(join(d.root, "etc/wsl.conf"));
  const who = call.user ?? conf.get("user.default") ?? d.defaultUid;
  const user = await findUser(d.root, who);
  if (!user) throw new Failure(userNotFound(speech));
  if (await systemdEnabled(d.root)) await systemdGate(d, initPid, user.uid, user.name);

  const linuxEnv: Record<string, string> = {
    PATH: processPath(
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      env.WSL_SIM_WINDOWS_PATH,
      conf.get("interop.appendwindowspath"),
      d.name,
    ),
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

  // Without --cd the process starts in the caller's Windows directory, translated (the sim's
  // "Windows" side is the host); one WSL cannot translate or that is missing: the home.
  const hostRoot = env.WSL_SIM_HOST_ROOT === "1";
  let cwd = translateWindowsPath(Deno.cwd(), d.name, hostRoot) ?? user.home;
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
      printLinux(`chdir(${cwd}) failed 2\n`);
      return 1;
    }
    wd = hostViewOf(initPid, d.root, user.home);
    if (!(await exists(wd))) wd = root;
  }
  const child = new Deno.Command("/usr/bin/nsenter", {
    args: [
      `--target=${initPid}`,
      "--mount",
      // The VM's namespace (the distro's init is in it), not that of the distro's /sbin/init.
      "--net",
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
