/** Writing Nix source safely: string literals and attribute names. */

const KEYWORDS = new Set([
  "assert",
  "else",
  "if",
  "in",
  "inherit",
  "let",
  "or",
  "rec",
  "then",
  "with",
]);

/** A Nix double-quoted string literal holding exactly `value` (no interpolation possible). */
export function nixString(value: string): string {
  let out = '"';
  for (const ch of value) {
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case "\\":
        out += "\\\\";
        break;
      case "$":
        out += "\\$";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      default:
        out += ch;
    }
  }
  return out + '"';
}

/** True when `name` can be written as a bare Nix identifier. */
export function isNixIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(name) && !KEYWORDS.has(name);
}

/** An attribute name: bare when it is an identifier, else a quoted string. */
export function nixAttr(name: string): string {
  return isNixIdentifier(name) ? name : nixString(name);
}

/** A dotted attribute path (`a."b.c".d`), each segment quoted as needed. */
export function nixAttrPath(segments: readonly string[]): string {
  return segments.map(nixAttr).join(".");
}
