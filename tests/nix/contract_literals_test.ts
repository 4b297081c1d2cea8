/**
 * The machine contract lives in ONE file (nix/contract.json): a grep of src/ and nix/ for its
 * literals — the socket folder, the env file, the uid, the user's name where it is the user —
 * finds them nowhere else. Readers (src/contract.ts, nix/contract.nix) derive everything from it.
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import contract from "../../nix/contract.json" with { type: "json" };
import {
  ENV_FILE,
  HOST_CA_FILE,
  HOST_DIR,
  MACHINE_USER,
  NIX_PATHS,
  USER_RUNTIME_DIR,
} from "../../src/contract.ts";
import { DEFAULT_MACHINE_USER, MACHINE_SOCKET_DIR } from "../../src/host/linux/devices.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CONTRACT_FILE = "nix/contract.json";

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(`${ROOT}${dir}`)) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...walk(rel));
    else if (/\.(ts|nix|sh|json)$/.test(e.name)) out.push(rel);
  }
  return out.sort();
}

const u = contract.user;
/** Literal → what it is; a line matching one of these outside the contract file is a finding. */
const FORBIDDEN: [RegExp, string][] = [
  [new RegExp(escape(contract.hostDir) + "(?![\\w-])"), "the host socket folder (hostDir)"],
  [new RegExp(escape(contract.envFile)), "the env file (envFile)"],
  [new RegExp(`(?<![\\w.])${u.uid}(?![\\w.])`), "the machine user's uid"],
  [new RegExp(escape(u.home)), "the machine user's home"],
  [new RegExp(`${escape(u.name)}@`), "the machine user's name (user@)"],
  // (ExecOpts' role selector `user: "codchi" | "root"` names a role, not the account.)
  [
    new RegExp(`(user|owner|USER|default)\\s*[:=]\\s*["']?${escape(u.name)}\\b(?!["']?\\s*\\|)`),
    "the user's name",
  ],
  [new RegExp(`\\bchown\\s+["']?${escape(u.name)}\\b`), "the user's name (chown)"],
  [new RegExp(`users\\.users\\.${escape(u.name)}\\b`), "the user's name (users.users)"],
];

/** Lines where a match is not the fact: milliseconds ↔ seconds conversions of timeouts. */
function isTimeArithmetic(line: string): boolean {
  return new RegExp(`[/*]\\s*${u.uid}\\b|\\b${u.uid}\\s*[/*]`).test(line) ||
    /timeout/i.test(line);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Every line of src/ and nix/ that spells a contract literal, as `file:line: text (what)`. */
export function findContractLiterals(): string[] {
  const found: string[] = [];
  for (const file of [...walk("src"), ...walk("nix")]) {
    if (file === CONTRACT_FILE) continue;
    const lines = Deno.readTextFileSync(`${ROOT}${file}`).split("\n");
    lines.forEach((line, i) => {
      for (const [re, what] of FORBIDDEN) {
        if (!re.test(line)) continue;
        if (what === "the machine user's uid" && isTimeArithmetic(line)) continue;
        found.push(`${file}:${i + 1}: ${line.trim()} (${what})`);
      }
    });
  }
  return found;
}

Deno.test("no contract literal outside nix/contract.json in src/ or nix/", () => {
  deepStrictEqual(findContractLiterals(), []);
});

Deno.test("the grep finds a literal when one is written (it can fail)", () => {
  const probe = `${ROOT}src/__contract_probe.ts`;
  Deno.writeTextFileSync(
    probe,
    `export const A = "${contract.hostDir}/x";\nexport const B = { uid: ${u.uid} };\n` +
      `export const C = "${contract.envFile}";\nexport const D = "${u.home}";\n`,
  );
  try {
    const hits = findContractLiterals().filter((l) => l.startsWith("src/__contract_probe.ts"));
    equal(hits.length, 4, hits.join("\n"));
  } finally {
    Deno.removeSync(probe);
  }
});

Deno.test("the host's constants are the contract's", () => {
  equal(MACHINE_SOCKET_DIR, contract.hostDir);
  equal(HOST_DIR, contract.hostDir);
  equal(ENV_FILE, contract.envFile);
  equal(HOST_CA_FILE, contract.hostCaFile);
  deepStrictEqual(DEFAULT_MACHINE_USER, { uid: u.uid, gid: u.gid });
  deepStrictEqual([MACHINE_USER.name, MACHINE_USER.home], [u.name, u.home]);
  equal(USER_RUNTIME_DIR, `/run/user/${u.uid}`);
  equal(NIX_PATHS.systemProfile.startsWith(NIX_PATHS.profilesDir + "/"), true);
});
