import { equal, match, ok, throws } from "node:assert/strict";
import { encodeShellLink, LinkFlags, type ShellLink } from "../../../src/host/windows/lnk.ts";

const link: ShellLink = {
  target: "C:\\Users\\jörg\\AppData\\Local\\codchi\\bin\\codchiw.exe",
  targetEnv: "%LOCALAPPDATA%\\codchi\\bin\\codchiw.exe",
  relativePath: "..\\..\\..\\..\\..\\Local\\codchi\\bin\\codchiw.exe",
  arguments: 'exec java -- idea-community "my project"',
  description: "IntelliJ IDEA (java) ✓",
  workingDir: "C:\\Users\\jörg",
  iconLocation: "C:\\Users\\jörg\\AppData\\Local\\codchi\\icons\\java\\idea.ico",
  showCommand: 1,
};

Deno.test("header: size, CLSID, flags, show command", () => {
  const b = encodeShellLink(link);
  const v = new DataView(b.buffer);
  equal(v.getUint32(0, true), 0x4c);
  equal(
    [...b.subarray(4, 20)].map((x) => x.toString(16).padStart(2, "0")).join(""),
    "0114020000000000c000000000000046",
  );
  const flags = v.getUint32(20, true);
  for (
    const f of [
      LinkFlags.HasLinkInfo,
      LinkFlags.HasName,
      LinkFlags.HasRelativePath,
      LinkFlags.HasWorkingDir,
      LinkFlags.HasArguments,
      LinkFlags.HasIconLocation,
      LinkFlags.IsUnicode,
      LinkFlags.HasExpString,
    ]
  ) ok(flags & f, `flag 0x${f.toString(16)}`);
  equal(flags & LinkFlags.HasLinkTargetIDList, 0);
  equal(v.getUint32(60, true), 1);
  // ends with the terminal block
  equal(v.getUint32(b.length - 4, true), 0);
});

Deno.test("the writer refuses relative targets", () => {
  throws(() => encodeShellLink({ target: "codchi.exe" }));
});

const hasLnkinfo = await new Deno.Command("lnkinfo", {
  args: ["-V"],
  stdout: "null",
  stderr: "null",
})
  .output().then(() => true, () => false);

/** Runs Linux `lnkinfo` (liblnk-utils) over the bytes and returns its report. */
async function lnkinfo(bytes: Uint8Array): Promise<string> {
  const file = await Deno.makeTempFile({ suffix: ".lnk" });
  try {
    await Deno.writeFile(file, bytes);
    const out = await new Deno.Command("lnkinfo", { args: [file] }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (out.code !== 0) {
      throw new Error(`lnkinfo failed (${out.code}): ${new TextDecoder().decode(out.stderr)}`);
    }
    return text;
  } finally {
    await Deno.remove(file);
  }
}

const field = (report: string, name: string) =>
  new RegExp(`^\\s*${name}\\s*:\\s*(.*)$`, "m").exec(report)?.[1];

for (const withIdList of [false, true]) {
  Deno.test({
    name: `lnkinfo reads every field the writer wrote (IDList: ${withIdList})`,
    ignore: !hasLnkinfo,
    async fn() {
      const report = await lnkinfo(encodeShellLink({ ...link, withIdList }));
      equal(field(report, "Local path"), link.target);
      equal(field(report, "Description"), link.description);
      equal(field(report, "Relative path"), link.relativePath);
      equal(field(report, "Working directory"), link.workingDir);
      equal(field(report, "Command line arguments"), link.arguments);
      equal(field(report, "Icon location"), link.iconLocation);
      equal(field(report, "Environment variables location"), link.targetEnv);
      equal(field(report, "Drive type"), "Fixed (3)");
      if (withIdList) {
        match(report, /Shell folder name\s*: My Computer/);
        match(report, /Volume name\s*: C:\\/);
        match(report, /Long name\s*: jörg/);
        match(report, /Long name\s*: codchiw\.exe/);
        equal(field(report, "Number of items"), "9"); // My Computer, C:\, 7 path elements
      }
    },
  });
}

Deno.test({
  name: "lnkinfo rejects a damaged file (the check is real)",
  ignore: !hasLnkinfo,
  async fn() {
    const bytes = encodeShellLink(link);
    bytes[0] = 0x10; // wrong header size
    let failed = false;
    await lnkinfo(bytes).catch(() => (failed = true));
    ok(failed);
  },
});
