import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { UsageError } from "../../src/errors.ts";
import {
  credentialHost,
  defaultModuleName,
  displayUrl,
  flakeUrl,
  type ModuleSource,
  parseModuleUrl,
  type ParseOptions,
  refNameProblem,
} from "../../src/nix/url.ts";

const HOME = "/data/machine/java";
const SHA = "0123456789abcdef0123456789abcdef01234567";

const good: [string, ParseOptions, string, ModuleSource["kind"]][] = [
  ["https://github.com/acme/app", {}, "github:acme/app", "forge"],
  ["https://github.com/acme/app.git", {}, "github:acme/app", "forge"],
  ["https://github.com/acme/app/", {}, "github:acme/app", "forge"],
  ["https://GitHub.com/Acme/App", {}, "github:Acme/App", "forge"],
  ["git+https://github.com/acme/app", {}, "github:acme/app", "forge"],
  ["https://github.com/acme/app", { branch: "main" }, "github:acme/app?ref=main", "forge"],
  ["https://github.com/acme/app", { branch: "feat/x" }, "github:acme/app?ref=feat/x", "forge"],
  ["https://github.com/acme/app", { tag: "v1.2" }, "github:acme/app?ref=v1.2", "forge"],
  [
    "https://github.com/acme/app",
    { commit: SHA.toUpperCase() },
    `github:acme/app?rev=${SHA}`,
    "forge",
  ],
  ["https://gitlab.com/group/proj", {}, "gitlab:group/proj", "forge"],
  ["https://gitlab.com/group/sub/proj", {}, "git+https://gitlab.com/group/sub/proj", "git"],
  ["https://git.sr.ht/~user/repo", { branch: "dev" }, "sourcehut:~user/repo?ref=dev", "forge"],
  ["github:acme/app", {}, "github:acme/app", "forge"],
  ["gitlab:acme/app", { tag: "v2" }, "gitlab:acme/app?ref=v2", "forge"],
  ["sourcehut:~u/r", {}, "sourcehut:~u/r", "forge"],
  ["https://git.example.com/team/repo", {}, "git+https://git.example.com/team/repo", "git"],
  [
    "https://git.example.com/team/repo.git",
    { branch: "main" },
    "git+https://git.example.com/team/repo.git?ref=main",
    "git",
  ],
  [
    "https://git.example.com/t/r",
    { tag: "v1" },
    "git+https://git.example.com/t/r?ref=refs/tags/v1",
    "git",
  ],
  [
    "https://git.example.com/t/r",
    { branch: "b", commit: SHA },
    `git+https://git.example.com/t/r?ref=b&rev=${SHA}`,
    "git",
  ],
  ["https://git.example.com:8443/t/r", {}, "git+https://git.example.com:8443/t/r", "git"],
  ["https://git.example.com:443/t/r", {}, "git+https://git.example.com/t/r", "git"],
  ["https://github.com:8443/acme/app", {}, "git+https://github.com:8443/acme/app", "git"],
  ["https://github.com/acme/app", { auth: true }, "git+https://github.com/acme/app", "git"],
  ["github:acme/app", { auth: true, branch: "x" }, "git+https://github.com/acme/app?ref=x", "git"],
  ["https://[::1]:3000/a/b", {}, "git+https://[::1]:3000/a/b", "git"],
  [
    "https://git.example.com/t/r",
    { branch: "a+b#c" },
    "git+https://git.example.com/t/r?ref=a%2Bb%23c",
    "git",
  ],
  ["projects/app", {}, `git+file://${HOME}/projects/app`, "local"],
  ["./projects//app/", {}, `git+file://${HOME}/projects/app`, "local"],
  ["projects\\app", {}, `git+file://${HOME}/projects/app`, "local"],
  ["app", { branch: "dev" }, `git+file://${HOME}/app?ref=dev`, "local"],
  ["app", { localScheme: "path" }, `path:${HOME}/app`, "local"],
  ["my.app-1_x", {}, `git+file://${HOME}/my.app-1_x`, "local"],
];

Deno.test("parseModuleUrl + flakeUrl: accepted forms", () => {
  for (const [input, opts, url, kind] of good) {
    const src = parseModuleUrl(input, opts);
    equal(src.kind, kind, input);
    equal(flakeUrl(src, { localRoot: HOME + "/" }), url, input);
  }
});

const bad: [string, ParseOptions, RegExp][] = [
  ["", {}, /empty/],
  ["http://github.com/acme/app", {}, /plain http/],
  ["ssh://git@github.com/acme/app", {}, /ssh/],
  ["git@github.com:acme/app.git", {}, /ssh/],
  ["git+ssh://git@host/x", {}, /ssh/],
  ["https://user:secret@github.com/acme/app", {}, /user name or token/],
  ["https://ghp_abc@github.com/acme/app", {}, /user name or token/],
  ["https://github.com/acme/app?ref=main", {}, /query/],
  ["https://github.com/acme/app#nixosModules.x", {}, /fragment/],
  ["https://github.com/acme", {}, /exactly two parts/],
  ["https://github.com/acme/app/tree/main", {}, /exactly two parts/],
  ["https://github.com", {}, /no repository/],
  ["https://git.sr.ht/user/repo", {}, /starts with "~"/],
  ["https://git.example.com/a/../b", {}, /"\.\."/],
  ["https://git.example.com/a b", {}, /whitespace/],
  ['https://git.example.com/a"b', {}, /contains/],
  ["https://exa_mple.com/a", {}, /host name/],
  ["https://example.com:99999/a", {}, /port/],
  ["https://example.com:x/a", {}, /port/],
  ["ftp://example.com/a", {}, /scheme/],
  ["file:///home/codchi/app", {}, /file URL/],
  ["path:/x", {}, /file URL/],
  ["github:acme", {}, /github:owner\/repo/],
  ["github:acme/app?ref=x", {}, /query/],
  ["~/projects/app", {}, /"~"/],
  ["/home/codchi/app", {}, /absolute/],
  ["../other/app", {}, /"\.\."/],
  ["projects/../../etc", {}, /"\.\."/],
  [".", {}, /home folder itself/],
  ["C:\\Users\\me\\app", {}, /Windows path/],
  ["projects/a;rm -rf", {}, /whitespace|contains/],
  ["projects/a$b", {}, /contains "\$"/],
  ["https://github.com/acme/app", { branch: "a", tag: "b" }, /--branch and --tag/],
  ["https://github.com/acme/app", { tag: "b", commit: SHA }, /--tag and --commit/],
  ["https://github.com/acme/app", { branch: "a", commit: SHA }, /either a branch or a commit/],
  ["https://github.com/acme/app", { commit: "abc123" }, /40-digit/],
  ["https://github.com/acme/app", { branch: "a..b" }, /Invalid branch/],
  ["https://github.com/acme/app", { tag: "-x" }, /Invalid tag/],
];

Deno.test("parseModuleUrl: refused inputs say why, as UsageError", () => {
  for (const [input, opts, why] of bad) {
    throws(() => parseModuleUrl(input, opts), (e: unknown) => {
      if (!(e instanceof UsageError)) throw new Error(`${input}: not a UsageError: ${e}`);
      if (!why.test(e.message)) throw new Error(`${input}: message ${e.message} !~ ${why}`);
      return true;
    }, input);
  }
});

Deno.test("a token in a refused URL is never echoed", () => {
  for (
    const input of ["https://x:ghp_SECRET@github.com/a/b", "git+https://ghp_SECRET@h.example/a"]
  ) {
    throws(() => parseModuleUrl(input), (e: unknown) => {
      const err = e as UsageError;
      equal(`${err.message} ${err.hint}`.includes("ghp_SECRET"), false, err.message);
      equal(err.message.includes("***@"), true, err.message);
      return true;
    });
  }
});

Deno.test("refNameProblem follows git's rules", () => {
  for (const ok of ["main", "feat/x", "v1.2.3", "release-2024", "a_b"]) {
    equal(refNameProblem(ok), undefined, ok);
  }
  for (
    const no of [
      "",
      "a b",
      "a..b",
      "a~1",
      "a^",
      "a:b",
      "a?",
      "a*",
      "a[",
      "a\\b",
      "/a",
      "a/",
      "a.",
      "a.lock",
      "@",
      "a@{b",
      "a//b",
      "-a",
      ".a",
      "a/.b",
    ]
  ) {
    equal(typeof refNameProblem(no), "string", no);
  }
});

Deno.test("display, credential host, default module name", () => {
  const gh = parseModuleUrl("https://github.com/acme/app.git");
  equal(displayUrl(gh), "https://github.com/acme/app");
  equal(credentialHost(gh), "github.com");
  equal(defaultModuleName(gh, "jvm"), "app-jvm");
  const git = parseModuleUrl("https://git.example.com:8443/team/Tools.git");
  equal(credentialHost(git), "git.example.com:8443");
  equal(defaultModuleName(git, "x.y"), "tools-x-y");
  const local = parseModuleUrl("projects/9lives");
  equal(credentialHost(local), undefined);
  equal(defaultModuleName(local, "default"), "m-9lives-default");
  deepStrictEqual(parseModuleUrl("https://git.sr.ht/~u/r.git"), {
    kind: "forge",
    forge: "sourcehut",
    owner: "~u",
    repo: "r",
  });
});

Deno.test("flakeUrl refuses a relative local root", () => {
  throws(() => flakeUrl(parseModuleUrl("app"), { localRoot: "home" }));
});
