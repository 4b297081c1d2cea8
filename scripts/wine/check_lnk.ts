/**
 * The Linux half of the Windows shortcut test: reads the manifest the Wine tests wrote and checks
 * every listed .lnk with `lnkinfo` (liblnk-utils). Fails on a file lnkinfo cannot parse or whose
 * target, arguments or description differ from what the Windows shell read.
 *
 * Usage: deno run -A scripts/wine/check_lnk.ts <manifest.json> <WINEPREFIX>
 *        deno run -A scripts/wine/check_lnk.ts --unix <WINEPREFIX> <C:\path>   (prints the Linux path)
 */

interface Manifest {
  machine: string;
  folder: string;
  shortcuts: { file: string; path: string; arguments: string; description: string }[];
}

/** Maps a `C:\…` path of the prefix to its Linux path. */
export function unixPath(prefix: string, windowsPath: string): string {
  const m = /^([A-Za-z]):\\(.*)$/.exec(windowsPath);
  if (!m) throw new Error(`not a drive path: ${windowsPath}`);
  const drive = m[1].toLowerCase() === "z" ? "" : `${prefix}/drive_${m[1].toLowerCase()}`;
  return `${drive}/${m[2].replaceAll("\\", "/")}`;
}

/** One `Name : value` line of lnkinfo's report. */
function field(report: string, name: string): string | undefined {
  return new RegExp(`^\\s*${name}\\s*:\\s*(.*)$`, "m").exec(report)?.[1];
}

if (import.meta.main && Deno.args[0] === "--unix") {
  console.log(unixPath(Deno.args[1], Deno.args[2]));
} else if (import.meta.main) {
  const [manifestFile, prefix] = Deno.args;
  const manifest: Manifest = JSON.parse(await Deno.readTextFile(manifestFile));
  if (manifest.shortcuts.length === 0) throw new Error("the manifest lists no shortcuts");
  let failures = 0;
  for (const s of manifest.shortcuts) {
    const file = unixPath(prefix, s.file);
    const out = await new Deno.Command("lnkinfo", { args: [file] }).output();
    const report = new TextDecoder().decode(out.stdout);
    const problems: string[] = [];
    if (out.code !== 0) {
      problems.push(`lnkinfo exit ${out.code}: ${new TextDecoder().decode(out.stderr).trim()}`);
    }
    const local = field(report, "Local path");
    if (local?.toLowerCase() !== s.path.toLowerCase()) {
      problems.push(`local path ${local} ≠ ${s.path}`);
    }
    if ((field(report, "Command line arguments") ?? "") !== s.arguments) {
      problems.push(`arguments ${field(report, "Command line arguments")} ≠ ${s.arguments}`);
    }
    if ((field(report, "Description") ?? "") !== s.description) {
      problems.push(`description ${field(report, "Description")} ≠ ${s.description}`);
    }
    console.log(`${problems.length ? "FAIL" : "ok  "} lnkinfo ${s.file}`);
    for (const p of problems) console.log(`       ${p}`);
    failures += problems.length ? 1 : 0;
  }
  console.log(
    `lnkinfo: ${manifest.shortcuts.length - failures} of ${manifest.shortcuts.length} shortcuts ok`,
  );
  if (failures) Deno.exit(1);
}
