/** Hostile secret values for round-trip tests: fixed edge cases plus seeded random strings. */

/** Values that broke naive quoting somewhere. */
export const EDGE_VALUES: string[] = [
  "",
  " ",
  "plain",
  "'",
  "''",
  `"`,
  `'"'"'`,
  "$HOME",
  "${HOME}",
  "$(id)",
  "`id`",
  "\\",
  "\\\\",
  "a\\",
  "\\'",
  "\\n",
  "line1\nline2",
  "\n",
  "\n\n",
  "trailing newline\n",
  "\nleading newline",
  "  spaces around  ",
  "\ttab\t",
  "cr\rlf\r\n",
  "# not a comment",
  "; not a comment",
  "a=b=c",
  "export X=1",
  "!history",
  "*glob?[x]",
  "~user",
  "{a,b}",
  "x; rm -rf /; echo",
  "&& || | > < >> 2>&1",
  "Grüße, 日本語, emoji 🔑👩‍💻, RTL \u202e",
  "\u00a0nbsp\u2028ls\u2029ps",
  "\x01\x02\x07\x1b[31mred\x1b[0m\x7f",
  "%s %n %d",
  "-n",
  "-e \\c",
  "a\\\nb",
  "'\n'",
  '"\\$`',
];

/** Characters random values are drawn from: shell- and systemd-special ones, controls, unicode. */
const ALPHABET = [
  ..."abcXYZ019 _-=#;:,.",
  ..."'\"`$\\!*?[]{}()<>|&~^%@",
  "\n",
  "\t",
  "\r",
  "\x01",
  "\x1b",
  "\x7f",
  "é",
  "ß",
  "中",
  "🔑",
  "\u200d",
  "\u00a0",
];

/** A small seeded PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` random values of up to `maxLen` characters. */
export function randomValues(seed: number, count: number, maxLen = 40): string[] {
  const next = rng(seed);
  return Array.from({ length: count }, () => {
    const len = Math.floor(next() * (maxLen + 1));
    let s = "";
    for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
    return s;
  });
}

/** Edge values plus random ones, as secret name → value (names V000, V001, …). */
export function hostileSecrets(seed = 7, random = 60): Record<string, string> {
  const values = [...EDGE_VALUES, ...randomValues(seed, random)];
  return Object.fromEntries(values.map((v, i) => [`V${String(i).padStart(3, "0")}`, v]));
}
