/** Parses wsl.exe's command line the way wsl.exe does (pure). */

/** What one wsl.exe call asks for. */
export type Call =
  | { op: "version" }
  | { op: "list"; running: boolean; quiet: boolean; verbose: boolean }
  | { op: "import"; distro: string; dir: string; tar: string; version: number; vhd: boolean }
  | { op: "import-in-place"; distro: string; vhdx: string }
  | { op: "unregister"; distro: string }
  | { op: "terminate"; distro: string }
  | { op: "shutdown" }
  | { op: "manage"; distro: string; sparse: boolean; allowUnsafe: boolean }
  | { op: "export"; distro: string; file: string }
  | {
    op: "exec";
    distro?: string;
    user?: string;
    cwd?: string;
    /** "exec": argv run directly; "shell": the rest of the command line, run by the user's shell. */
    mode: "exec" | "shell" | "login";
    argv: string[];
  };

/** The parse result: a call, or the argument wsl.exe rejects (MessageInvalidCommandLine). */
export type Parsed = { ok: true; call: Call } | { ok: false; badArg: string };

const bad = (arg: string): Parsed => ({ ok: false, badArg: arg });

/** Parses argv (without the program name). */
export function parseArgs(argv: string[]): Parsed {
  const [first, ...rest] = argv;
  switch (first) {
    case "--version":
    case "-v":
      return rest.length ? bad(rest[0]) : { ok: true, call: { op: "version" } };
    case "--list":
    case "-l":
      return parseList(rest);
    case "--import":
      return parseImport(rest);
    case "--import-in-place":
      return rest.length === 2
        ? { ok: true, call: { op: "import-in-place", distro: rest[0], vhdx: rest[1] } }
        : bad(first);
    case "--unregister":
      return rest.length === 1
        ? { ok: true, call: { op: "unregister", distro: rest[0] } }
        : bad(first);
    case "--terminate":
    case "-t":
      return rest.length === 1
        ? { ok: true, call: { op: "terminate", distro: rest[0] } }
        : bad(first);
    case "--shutdown":
      return rest.every((a) => a === "--force")
        ? { ok: true, call: { op: "shutdown" } }
        : bad(rest[0]);
    case "--manage":
      return parseManage(rest);
    case "--export":
      return rest.length === 2 || (rest.length === 4 && rest[2] === "--format")
        ? { ok: true, call: { op: "export", distro: rest[0], file: rest[1] } }
        : bad(first);
    default:
      return parseExec(argv);
  }
}

function parseList(args: string[]): Parsed {
  const call = { op: "list" as const, running: false, quiet: false, verbose: false };
  for (const a of args) {
    if (a === "--running") call.running = true;
    else if (a === "--quiet" || a === "-q") call.quiet = true;
    else if (a === "--verbose" || a === "-v") call.verbose = true;
    else if (a !== "--all") return bad(a);
  }
  return { ok: true, call };
}

function parseImport(args: string[]): Parsed {
  if (args.length < 3) return bad("--import");
  const [distro, dir, tar, ...opts] = args;
  let version = 2;
  let vhd = false;
  for (let i = 0; i < opts.length; i++) {
    if (opts[i] === "--version" && /^[12]$/.test(opts[i + 1] ?? "")) version = Number(opts[++i]);
    else if (opts[i] === "--vhd") vhd = true;
    else return bad(opts[i]);
  }
  return { ok: true, call: { op: "import", distro, dir, tar, version, vhd } };
}

function parseManage(args: string[]): Parsed {
  const [distro, option, value, ...more] = args;
  if (!distro || option !== "--set-sparse" || !/^(true|false)$/.test(value ?? "")) {
    return bad(option ?? "--manage");
  }
  const allowUnsafe = more.length === 1 && more[0] === "--allow-unsafe";
  if (more.length && !allowUnsafe) return bad(more[0]);
  return { ok: true, call: { op: "manage", distro, sparse: value === "true", allowUnsafe } };
}

function parseExec(args: string[]): Parsed {
  const call: Extract<Call, { op: "exec" }> = { op: "exec", mode: "shell", argv: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => args[++i];
    if (a === "-d" || a === "--distribution") {
      call.distro = value();
      if (call.distro === undefined) return bad(a);
    } else if (a === "-u" || a === "--user") {
      call.user = value();
      if (call.user === undefined) return bad(a);
    } else if (a === "--cd") {
      call.cwd = value();
      if (call.cwd === undefined) return bad(a);
    } else if (a === "--shell-type") {
      const t = value();
      if (t === "login") call.mode = "login";
      else if (t === "none") call.mode = "exec";
      else if (t !== "standard") return bad(t ?? a);
    } else if (a === "-e" || a === "--exec") {
      call.mode = "exec";
      call.argv = args.slice(i + 1);
      return call.argv.length ? { ok: true, call } : bad(a);
    } else if (a === "--") {
      call.argv = args.slice(i + 1);
      return { ok: true, call };
    } else if (a.startsWith("-")) {
      return bad(a);
    } else {
      call.argv = args.slice(i);
      return { ok: true, call };
    }
  }
  return { ok: true, call };
}

/**
 * The command line wsl.exe hands to `$SHELL -c` for `--` (and bare commands): the arguments
 * joined by spaces, one that contains whitespace wrapped in double quotes, nothing escaped.
 */
export function shellCommandLine(argv: string[]): string {
  return argv.map((a) => /[ \t]/.test(a) ? `"${a}"` : a).join(" ");
}
