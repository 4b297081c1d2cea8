/**
 * The layering of src/ (docs/architecture.md), guarded: the module graph Deno itself resolves
 * (`deno info --json`, static and dynamic imports, type-only ones included) has no import that
 * crosses a layer the wrong way and no cycle; no source file outside src/process.ts starts a
 * process. Every offender is reported with its path.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** One import edge between two files of the repo (paths relative to it). */
export interface Edge {
  from: string;
  to: string;
  dynamic: boolean;
  typeOnly: boolean;
}

/** An import rule: files matching `from` must not import files matching `to` (unless `unless`). */
interface Rule {
  why: string;
  from: RegExp;
  to: RegExp;
  unless?: RegExp;
}

/** The rules of docs/architecture.md "What each folder may import". */
export const RULES: Rule[] = [
  {
    why: "the core is platform-free: host code only through the host port (src/host/types.ts)",
    from: /^src\/core\//,
    to: /^src\/host\//,
    unless: /^src\/host\/types\.ts$/,
  },
  {
    why: "the core talks to drivers only through their contract (src/driver/types.ts)",
    from: /^src\/core\//,
    to: /^src\/driver\//,
    unless: /^src\/driver\/types\.ts$/,
  },
  {
    why: "the core never imports the command line",
    from: /^src\/core\//,
    to: /^src\/cli\//,
  },
  {
    why: "only the command line (the composition root) uses the core",
    from: /^src\/(?!core\/|cli\/)/,
    to: /^src\/core\//,
  },
  {
    why: "nothing below the command line imports it",
    from: /^src\/(?!cli\/|core\/)/,
    to: /^src\/cli\//,
  },
  {
    why: "a driver does not use another driver's internals",
    from: /^src\/driver\/lxd\//,
    to: /^src\/driver\/wsl\//,
  },
  {
    why: "a driver does not use another driver's internals",
    from: /^src\/driver\/wsl\//,
    to: /^src\/driver\/lxd\//,
  },
  {
    why: "the LXD driver gets the host's session and USB devices through the host port " +
      "(Host.session, Host.usbDevices, handed in by cli/context.ts), so a remote gets them too",
    from: /^src\/driver\/lxd\//,
    to: /^src\/host\//,
  },
  {
    why: "the libraries (config, nix, release, secrets, usb) sit below drivers",
    from: /^src\/(config|nix|release|secrets|usb)\//,
    to: /^src\/driver\//,
  },
  {
    why: "a Windows host integration does not use the Linux one (shared parts live in src/host/)",
    from: /^src\/host\/windows\//,
    to: /^src\/host\/linux\//,
  },
];

/**
 * Known debt: edges the rules forbid that are not fixed yet, each with why. Keep this short;
 * docs/architecture.md lists the same entries.
 */
export const EXCEPTIONS: { from: string; to: string; why: string }[] = [];

/** Files allowed to create processes. */
const PROCESS_DOOR = "src/process.ts";

/** Import edges between repo files, from `deno info --json` output. */
export function edgesOf(info: unknown, repoUrl: string): Edge[] {
  const out: Edge[] = [];
  const modules = (info as { modules?: unknown[] }).modules ?? [];
  const rel = (s: string) => s.startsWith(repoUrl) ? s.slice(repoUrl.length) : undefined;
  for (
    const m of modules as {
      specifier: string;
      dependencies?: {
        code?: { specifier?: string };
        type?: { specifier?: string };
        isDynamic?: boolean;
      }[];
    }[]
  ) {
    const from = rel(m.specifier);
    if (!from) continue;
    for (const d of m.dependencies ?? []) {
      const code = d.code?.specifier && rel(d.code.specifier);
      const type = d.type?.specifier && rel(d.type.specifier);
      if (code) out.push({ from, to: code, dynamic: !!d.isDynamic, typeOnly: false });
      if (type && type !== code) {
        out.push({ from, to: type, dynamic: !!d.isDynamic, typeOnly: true });
      }
    }
  }
  return out;
}

/** Every edge that breaks a rule and is not an exception, as a readable line. */
export function ruleViolations(
  edges: Edge[],
  rules: Rule[] = RULES,
  exceptions = EXCEPTIONS,
): string[] {
  const bad: string[] = [];
  for (const e of edges) {
    if (exceptions.some((x) => x.from === e.from && x.to === e.to)) continue;
    for (const r of rules) {
      if (r.from.test(e.from) && r.to.test(e.to) && !r.unless?.test(e.to)) {
        const how = `${e.dynamic ? "dynamic " : ""}${e.typeOnly ? "type " : ""}import`;
        bad.push(`${e.from} -> ${e.to} (${how}): ${r.why}`);
      }
    }
  }
  return [...new Set(bad)].sort();
}

/**
 * The import cycles among `files`: each strongly connected component of more than one module
 * (or a module importing itself), as one path around it (`a -> b -> a`).
 */
export function cycles(edges: Edge[], inScope: (f: string) => boolean): string[] {
  const adj = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!inScope(e.from) || !inScope(e.to)) continue;
    if (!adj.has(e.from)) adj.set(e.from, new Set());
    if (!adj.has(e.to)) adj.set(e.to, new Set());
    adj.get(e.from)!.add(e.to);
  }
  // Tarjan's algorithm, iterative (no recursion limit on deep graphs).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const comps: string[][] = [];
  let next = 0;
  for (const start of [...adj.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { v: string; it: Iterator<string> }[] = [];
    const visit = (v: string) => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      onStack.add(v);
      work.push({ v, it: [...adj.get(v)!].sort()[Symbol.iterator]() });
    };
    visit(start);
    while (work.length) {
      const top = work[work.length - 1];
      const n = top.it.next();
      if (!n.done) {
        const w = n.value;
        if (!index.has(w)) visit(w);
        else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.v);
        if (comp.length > 1 || adj.get(top.v)!.has(top.v)) comps.push(comp.sort());
      }
    }
  }
  return comps.map((comp) => cyclePath(comp, adj)).sort();
}

/** One closed path through a strongly connected component, for the report. */
function cyclePath(comp: string[], adj: Map<string, Set<string>>): string {
  const members = new Set(comp);
  const start = comp[0];
  // Breadth-first from start back to start, inside the component.
  const prev = new Map<string, string>();
  const queue = [start];
  let end: string | undefined;
  while (queue.length && !end) {
    const v = queue.shift()!;
    for (const w of [...adj.get(v)!].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        end = v;
        break;
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  const path = [start];
  for (let v = end; v && v !== start; v = prev.get(v)) path.splice(1, 0, v);
  path.push(start);
  return `${path.join(" -> ")}  [${comp.length} modules: ${comp.join(", ")}]`;
}

/** Source lines that create a process without the door (src/process.ts). */
export function spawnsOutsideDoor(files: { path: string; text: string }[]): string[] {
  const bad: string[] = [];
  const pattern =
    /\bnew\s+Deno\.Command\b|\bDeno\.Command\s*\(|\bDeno\.run\b|\bchild_process\b|\bDeno\.ChildProcess\b/;
  for (const f of files) {
    if (f.path === PROCESS_DOOR) continue;
    f.text.split("\n").forEach((line, i) => {
      if (pattern.test(line)) bad.push(`${f.path}:${i + 1}: ${line.trim()}`);
    });
  }
  return bad;
}

/** Lines of the core that branch on a driver's name (the driver states what it needs instead). */
export function driverNameBranches(files: { path: string; text: string }[]): string[] {
  const bad: string[] = [];
  for (const f of files) {
    if (!f.path.startsWith("src/core/")) continue;
    f.text.split("\n").forEach((line, i) => {
      if (/\bdriver\??\.name\s*[!=]==|[!=]==\s*driver\??\.name\b/.test(line)) {
        bad.push(`${f.path}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  return bad;
}

/** `import(` calls whose specifier is not a string literal (the graph could not see them). */
export function opaqueDynamicImports(files: { path: string; text: string }[]): string[] {
  const bad: string[] = [];
  for (const f of files) {
    f.text.split("\n").forEach((line, i) => {
      for (const m of line.matchAll(/\bimport\s*\(\s*([^)\s]?)/g)) {
        if (m[1] !== '"' && m[1] !== "'") bad.push(`${f.path}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  return bad;
}

/** Every .ts file below `dir` (repo-relative paths). */
async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${REPO}${dir}`)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await tsFiles(p));
    else if (e.isFile && e.name.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}

/**
 * The module graph of main.ts and of every file in src/ (files main.ts does not reach are
 * checked too), as Deno resolves it with the project's deno.json.
 */
async function repoGraph(): Promise<Edge[]> {
  const dir = await Deno.makeTempDir({ prefix: "codchi-layers-" });
  try {
    const roots = ["main.ts", ...await tsFiles("src")];
    const root = `${dir}/root.ts`;
    await Deno.writeTextFile(
      root,
      roots.map((f) => `import ${JSON.stringify(new URL(f, `file://${REPO}`).href)};\n`).join(""),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", `${REPO}deno.json`, root],
      cwd: REPO,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `deno info failed: ${err}`);
    return edgesOf(JSON.parse(new TextDecoder().decode(out.stdout)), `file://${REPO}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const graph = repoGraph();
const isSrc = (f: string) => f.startsWith("src/");

Deno.test("layers: no import from src/core into cli, host/<platform> or driver/<impl>, and the other folder rules of docs/architecture.md", async () => {
  const edges = await graph;
  assert.ok(edges.some((e) => e.from === "main.ts"), "the graph has main.ts's imports");
  assert.ok(edges.filter((e) => e.from.startsWith("src/core/")).length > 20, "core is in it");
  const bad = ruleViolations(edges);
  assert.deepEqual(bad, [], `imports that break the layering:\n  ${bad.join("\n  ")}`);
});

Deno.test("layers: no import cycle among src/ modules (static, dynamic and type imports)", async () => {
  const found = cycles(await graph, isSrc);
  assert.deepEqual(found, [], `import cycles in src/:\n  ${found.join("\n  ")}`);
});

Deno.test("layers: every exception listed is still needed (a fixed one must leave the list)", async () => {
  const edges = await graph;
  const stale = EXCEPTIONS.filter((x) => !edges.some((e) => e.from === x.from && e.to === x.to));
  assert.deepEqual(stale, []);
  const needed = EXCEPTIONS.filter((x) =>
    ruleViolations(edges, RULES, []).some((l) => l.startsWith(`${x.from} -> ${x.to} `))
  );
  assert.equal(needed.length, EXCEPTIONS.length);
});

Deno.test("layers: only src/process.ts creates processes; the core never branches on a driver name; every dynamic import in src/ is a literal", async () => {
  const files = await Promise.all(
    (await tsFiles("src")).map(async (path) => ({
      path,
      text: await Deno.readTextFile(`${REPO}${path}`),
    })),
  );
  assert.ok(files.length > 100, "src/ was read");
  const spawns = spawnsOutsideDoor(files);
  assert.deepEqual(
    spawns,
    [],
    `processes created outside ${PROCESS_DOOR}:\n  ${spawns.join("\n  ")}`,
  );
  const names = driverNameBranches(files);
  assert.deepEqual(names, [], `the core branches on driver names:\n  ${names.join("\n  ")}`);
  const opaque = opaqueDynamicImports(files);
  assert.deepEqual(
    opaque,
    [],
    `dynamic imports the module graph cannot see:\n  ${opaque.join("\n  ")}`,
  );
});

// The guard's own logic, on small graphs with known answers.

const edge = (from: string, to: string, dynamic = false, typeOnly = false): Edge => ({
  from,
  to,
  dynamic,
  typeOnly,
});

Deno.test("layers guard: finds a cycle closed by a dynamic import, and only real cycles", () => {
  const edges = [
    edge("src/a.ts", "src/b.ts"),
    edge("src/b.ts", "src/c.ts"),
    edge("src/c.ts", "src/a.ts", true),
    edge("src/c.ts", "src/d.ts"),
    edge("src/d.ts", "src/e.ts"),
    edge("src/x.ts", "src/x.ts"),
  ];
  const found = cycles(edges, isSrc);
  assert.equal(found.length, 2, found.join("\n"));
  assert.ok(
    found.some((c) => c.startsWith("src/a.ts -> src/b.ts -> src/c.ts -> src/a.ts")),
    found[0],
  );
  assert.ok(found.some((c) => c.startsWith("src/x.ts -> src/x.ts")));
  assert.deepEqual(cycles(edges.slice(0, 2), isSrc), []);
  // Out of scope: a cycle through tests/ is not src/'s business.
  assert.deepEqual(
    cycles([edge("tests/a.ts", "src/b.ts"), edge("src/b.ts", "tests/a.ts")], isSrc),
    [],
  );
});

Deno.test("layers guard: reports each forbidden edge with its path, allows the ports", () => {
  const bad = ruleViolations([
    edge("src/core/tray.ts", "src/host/linux/tray.ts", true),
    edge("src/core/build.ts", "src/host/types.ts"),
    edge("src/core/build.ts", "src/driver/types.ts"),
    edge("src/core/flake.ts", "src/driver/wsl/mod.ts", false, true),
    edge("src/core/clone.ts", "src/cli/options.ts", false, true),
    edge("src/nix/progress_render.ts", "src/driver/types.ts", false, true),
    edge("src/cli/context.ts", "src/driver/lxd/mod.ts"),
  ]);
  assert.equal(bad.length, 4, bad.join("\n"));
  assert.match(bad[0], /^src\/core\/clone\.ts -> src\/cli\/options\.ts \(type import\)/);
  assert.match(bad[1], /^src\/core\/flake\.ts -> src\/driver\/wsl\/mod\.ts/);
  assert.match(bad[2], /^src\/core\/tray\.ts -> src\/host\/linux\/tray\.ts \(dynamic import\)/);
  assert.match(bad[3], /^src\/nix\/progress_render\.ts -> src\/driver\/types\.ts/);
});

Deno.test("layers guard: spots process creation, driver-name branches and opaque dynamic imports by line", () => {
  const files = [
    { path: "src/process.ts", text: "new Deno.Command(x)" },
    { path: "src/core/tray.ts", text: 'a\n  new Deno.Command("cmd.exe", {})\n' },
    { path: "src/host/x.ts", text: 'const c = Deno.Command("x");\nDeno.run({cmd})' },
    { path: "src/ok.ts", text: "const m = await import(\"./a.ts\");\nimport('./b.ts')" },
    { path: "src/bad.ts", text: "const m = await import(name);" },
  ];
  assert.deepEqual(spawnsOutsideDoor(files), [
    'src/core/tray.ts:2: new Deno.Command("cmd.exe", {})',
    'src/host/x.ts:1: const c = Deno.Command("x");',
    "src/host/x.ts:2: Deno.run({cmd})",
  ]);
  assert.deepEqual(opaqueDynamicImports(files), ["src/bad.ts:1: const m = await import(name);"]);
  assert.deepEqual(
    driverNameBranches([
      { path: "src/core/flake.ts", text: 'x\ndriver: driver.name === "wsl" ? "wsl" : "lxd",' },
      { path: "src/core/usb.ts", text: "`not supported by the ${driver.name} driver`" },
      { path: "src/core/a.ts", text: 'if ("wsl" !== driver?.name) return;' },
      { path: "src/driver/mod.ts", text: 'if (driver.name === "wsl") x();' },
    ]),
    [
      'src/core/flake.ts:2: driver: driver.name === "wsl" ? "wsl" : "lxd",',
      'src/core/a.ts:1: if ("wsl" !== driver?.name) return;',
    ],
  );
});
