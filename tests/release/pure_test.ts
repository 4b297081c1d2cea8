/** The pure parts of releases: manifest, location, Range arithmetic, progress text. */
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import {
  defaultReleaseUrl,
  parseLocation,
  releaseFile,
  releaseLocation,
} from "../../src/release/location.ts";
import { fileNameProblem, parseManifest, renderManifest } from "../../src/release/manifest.ts";
import { parseContentRange, rangeHeader, resumePlan } from "../../src/release/range.ts";
import { formatBytes, formatDuration, quarter, transferText } from "../../src/release/progress.ts";
import { embeddedManifest } from "../../src/release/embedded.ts";
import { UsageError } from "../../src/errors.ts";
import { imageOfName, releaseName } from "../../scripts/make_release.ts";

const SHA = "ab".repeat(32);
const good = {
  version: "1.2.3",
  images: {
    lxd: {
      store: { file: "codchi-lxd-store.tar.xz", sha256: SHA.toUpperCase(), size: 10 },
      machine: { file: "codchi-lxd-machine.tar", sha256: SHA, size: 0 },
    },
    wsl: { store: { file: "codchi-wsl-store.tar.gz", sha256: SHA, size: 5 } },
  },
};

Deno.test("manifest: a good one parses (sums lowercased) and renders back the same", () => {
  const m = parseManifest(JSON.stringify(good));
  ok(!("problems" in m));
  equal(m.images.lxd?.store?.sha256, SHA);
  equal(m.images.wsl?.machine, undefined);
  deepEqual(parseManifest(renderManifest(m)), m);
});

Deno.test("manifest: every problem is named with its path; nothing half-parsed", () => {
  const bad = {
    version: 3,
    extra: 1,
    images: {
      lxd: {
        store: { file: "../etc/passwd.tar", sha256: "xyz", size: -1 },
        machine: { file: "m.zip", sha256: SHA, size: 1, url: "x" },
        other: {},
      },
      mac: {},
    },
  };
  const r = parseManifest(JSON.stringify(bad));
  ok("problems" in r);
  const text = r.problems.join("\n");
  for (
    const want of [
      `unknown key "extra"`,
      `"version" must be a string`,
      "images.lxd.store.file: it must be a plain file name",
      "images.lxd.store.sha256 must be 64 hex digits",
      "images.lxd.store.size must be a whole number",
      "images.lxd.machine.file: it must end in .tar",
      `images.lxd.machine: unknown key "url"`,
      "images.lxd.other: unknown image",
      "images.mac: unknown family",
    ]
  ) ok(text.includes(want), `${want}\n---\n${text}`);
  ok("problems" in parseManifest("{not json"));
  ok("problems" in parseManifest("[]"));
  equal(fileNameProblem("a/b.tar") !== undefined, true);
  equal(fileNameProblem("codchi-x.tar.zst"), undefined);
});

Deno.test("embedded sums: {} is a development build; a manifest is used; a broken one throws", () => {
  equal(embeddedManifest({}), undefined);
  equal(embeddedManifest(good)?.version, "1.2.3");
  throws(() => embeddedManifest({ version: "1", images: { lxd: { store: {} } } }), /broken/);
  // The repository's own file is a development build.
  equal(embeddedManifest(), undefined);
});

Deno.test("location: CODCHI_RELEASE_URL wins over config.json, both over the default", () => {
  deepEqual(releaseLocation("https://m.example/r", "/srv/rel", "1.0.0"), {
    kind: "http",
    base: "https://m.example/r/",
    origin: "CODCHI_RELEASE_URL",
  });
  deepEqual(releaseLocation(undefined, "/srv/rel/", "1.0.0"), {
    kind: "folder",
    dir: "/srv/rel/",
    origin: `"release.url" in config.json`,
  });
  const d = releaseLocation(undefined, undefined, "1.0.0");
  equal(d.kind === "http" && d.base, defaultReleaseUrl("1.0.0"));
  equal(
    defaultReleaseUrl("1.0.0"),
    "https://github.com/codchi-dev/codchi/releases/download/v1.0.0/",
  );
});

Deno.test("location: file:// URLs and absolute paths are folders; Windows paths on Windows", () => {
  deepEqual(parseLocation("file:///srv/a%20b", "x"), {
    kind: "folder",
    dir: "/srv/a b",
    origin: "x",
  });
  deepEqual(parseLocation("C:\\rel", "x", "windows"), {
    kind: "folder",
    dir: "C:\\rel",
    origin: "x",
  });
  deepEqual(parseLocation("file:///C:/rel", "x", "windows"), {
    kind: "folder",
    dir: "C:\\rel",
    origin: "x",
  });
  deepEqual(parseLocation("file://srv/share/r", "x", "windows"), {
    kind: "folder",
    dir: "\\\\srv\\share\\r",
    origin: "x",
  });
  throws(() => parseLocation("file://otherhost/r", "x"), UsageError);
  equal(parseLocation("http://127.0.0.1:8080", "x").kind, "http");
});

Deno.test("location: bad values are UsageErrors naming where they came from", () => {
  for (
    const v of [
      "relative/dir",
      "ftp://x/y",
      "https://user:pw@x/y",
      "https://x/y?a=1",
      "javascript:alert(1)",
      "",
    ]
  ) {
    throws(() => parseLocation(v, "CODCHI_RELEASE_URL"), (e) => {
      ok(e instanceof UsageError, v);
      match(e.message, /CODCHI_RELEASE_URL/);
      return true;
    });
  }
});

Deno.test("releaseFile: URL-joined under the base, or a path in the folder", () => {
  const h = parseLocation("http://127.0.0.1:1/a/b", "x");
  equal(releaseFile(h, "codchi-release.json"), "http://127.0.0.1:1/a/b/codchi-release.json");
  equal(releaseFile(parseLocation("/r", "x"), "f.tar"), "/r/f.tar");
  equal(releaseFile(parseLocation("D:\\r", "x", "windows"), "f.tar", "windows"), "D:\\r\\f.tar");
});

Deno.test("range: header, Content-Range parsing, and what to do with each answer", () => {
  equal(rangeHeader(0), undefined);
  equal(rangeHeader(100), "bytes=100-");
  deepEqual(parseContentRange("bytes 100-199/200"), { start: 100, end: 199, total: 200 });
  deepEqual(parseContentRange("bytes 5-9/*"), { start: 5, end: 9, total: undefined });
  equal(parseContentRange("bytes 9-5/10"), undefined);
  equal(parseContentRange("bytes 0-10/10"), undefined);
  equal(parseContentRange(null), undefined);
  deepEqual(resumePlan(200, null, 100, 200), { action: "restart" });
  deepEqual(resumePlan(206, "bytes 100-199/200", 100, 200), { action: "append" });
  deepEqual(resumePlan(206, "bytes 50-199/200", 100, 200), { action: "discard" });
  deepEqual(resumePlan(206, "bytes 100-199/300", 100, 200), { action: "discard" });
  deepEqual(resumePlan(206, undefined, 100, 200), { action: "discard" });
  deepEqual(resumePlan(416, "bytes */200", 200, 200), { action: "discard" });
  deepEqual(resumePlan(404, null, 0, 200), { action: "fail", status: 404 });
  deepEqual(resumePlan(503, null, 0, 200), { action: "fail", status: 503 });
});

Deno.test("progress: sizes, durations, bar with rate and ETA; quarters for plain output", () => {
  equal(formatBytes(512), "512 B");
  equal(formatBytes(1536), "1.50 KiB");
  equal(formatBytes(12.5 * 1024 * 1024), "12.5 MiB");
  equal(formatBytes(300 * 1024 ** 3), "300 GiB");
  equal(formatDuration(45), "45 s");
  equal(formatDuration(185), "3 min 05 s");
  equal(formatDuration(3720), "1 h 02 min");
  const mib = 1024 * 1024;
  equal(
    transferText("Downloading x", 10 * mib, 40 * mib, 2000, 0, 8),
    "Downloading x  [##------]  10.0 MiB / 40.0 MiB (25%)  5.00 MiB/s  ETA 6 s",
  );
  // A resume: the bytes from before do not count for the rate.
  match(transferText("d", 30 * mib, 40 * mib, 2000, 20 * mib), /5\.00 MiB\/s {2}ETA 2 s$/);
  equal(transferText("d", 5, 0, 100), "d  5 B");
  equal(quarter(0, 100), 0);
  equal(quarter(50, 100), 2);
  equal(quarter(100, 100), 4);
  equal(quarter(5, 0), 0);
});

Deno.test("make_release: image names both ways round; release names keep the extension", () => {
  deepEqual(imageOfName("store-lxd.tar.gz"), { family: "lxd", kind: "store" });
  deepEqual(imageOfName("codchi-wsl-machine.tar.zst"), { family: "wsl", kind: "machine" });
  equal(imageOfName("store-mac.tar"), undefined);
  equal(imageOfName("codchi-release.json"), undefined);
  equal(releaseName("lxd", "machine", "/x/m.tar.xz"), "codchi-lxd-machine.tar.xz");
  throws(() => releaseName("lxd", "machine", "/x/m.zip"));
});

Deno.test("compile --release: embeds a checked manifest of this version only", async () => {
  const { embeddedText } = await import("../../scripts/compile.ts");
  const text = embeddedText(JSON.stringify(good), "1.2.3");
  equal(embeddedManifest(JSON.parse(text))?.images.lxd?.store?.sha256, SHA);
  throws(() => embeddedText(JSON.stringify(good), "1.2.4"), /version 1\.2\.3/);
  throws(() => embeddedText(`{"version": "1.2.3", "images": {"lxd": 1}}`, "1.2.3"), /images\.lxd/);
});
