import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { fillTemplate, type ManifestValues } from "../../../scripts/fill_manifests.ts";
import { VCXSRV_SCOOP_APP, VCXSRV_WINGET_ID } from "../../../src/host/windows/vcxsrv.ts";

const values: ManifestValues = {
  VERSION: "0.4.2",
  URL: "https://github.com/example/codchi/releases/download/v0.4.2/codchi-windows-x64.zip",
  SHA256: "ab".repeat(32),
  HOMEPAGE: "https://github.com/example/codchi",
  LICENSE: "MIT",
};
const read = (p: string) => Deno.readTextFile(new URL(`../../../scripts/${p}`, import.meta.url));

Deno.test("the scoop template fills into valid JSON naming both executables", async () => {
  const json = JSON.parse(fillTemplate(await read("scoop/codchi.json"), values));
  equal(json.version, "0.4.2");
  equal(json.architecture["64bit"].hash, "AB".repeat(32));
  equal(json.architecture["64bit"].url, values.URL);
  equal(json.bin.join(","), "codchi.exe,codchiw.exe");
});

Deno.test("the winget templates fill completely, with one version everywhere", async () => {
  for (
    const f of [
      "Codchi.Codchi.yaml",
      "Codchi.Codchi.installer.yaml",
      "Codchi.Codchi.locale.en-US.yaml",
    ]
  ) {
    const text = fillTemplate(await read(`winget/${f}`), values);
    ok(!text.includes("{{"), f);
    match(text, /^PackageVersion: "0\.4\.2"$/m);
    match(text, /^ManifestVersion: 1\.6\.0$/m);
  }
  const installer = fillTemplate(await read("winget/Codchi.Codchi.installer.yaml"), values);
  match(installer, /InstallerSha256: "(AB){32}"\n/);
  match(installer, /PortableCommandAlias: codchiw/);
});

Deno.test("bad release values are refused", () => {
  throws(() => fillTemplate("{{VERSION}}", { ...values, VERSION: "latest" }));
  throws(() => fillTemplate("{{SHA256}}", { ...values, SHA256: "abc" }));
  throws(() => fillTemplate("{{URL}}", { ...values, URL: "http://x" }));
  throws(() => fillTemplate("{{NOPE}}", values));
});

Deno.test("VcXsrv comes with codchi: winget dependency, scoop depends, the zip's README", async () => {
  const installer = fillTemplate(await read("winget/Codchi.Codchi.installer.yaml"), values);
  match(
    installer,
    new RegExp(
      `^Dependencies:\\n  PackageDependencies:\\n    - PackageIdentifier: ${VCXSRV_WINGET_ID}\\n`,
      "m",
    ),
  );
  const scoop = JSON.parse(fillTemplate(await read("scoop/codchi.json"), values));
  deepEqual(scoop.depends, [VCXSRV_SCOOP_APP]);
  const readme = await read("windows_zip_README.txt");
  ok(readme.includes(`winget install ${VCXSRV_WINGET_ID}`), readme);
  ok(readme.includes(`scoop install ${VCXSRV_SCOOP_APP}`), readme);
  // The release workflow puts that README into the zip next to the two programs.
  const workflow = await Deno.readTextFile(
    new URL("../../../.github/workflows/release.yml", import.meta.url),
  );
  match(workflow, /cp \.\.\/scripts\/windows_zip_README\.txt x86_64-pc-windows-msvc\/README\.txt/);
  match(workflow, /zip -q \.\.\/codchi-windows-x64\.zip codchi\.exe codchiw\.exe README\.txt/);
});
