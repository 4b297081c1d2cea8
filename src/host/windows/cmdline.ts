/** Windows command lines: quoting argv so that CommandLineToArgvW (and the C runtime) splits it back. */

/** Quotes one argument for a Windows command line; arguments without blanks or quotes stay bare. */
export function quoteArg(arg: string): string {
  if (arg !== "" && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === "\\") {
      slashes++;
      continue;
    }
    // Backslashes before a quote are doubled, and the quote itself escaped.
    out += "\\".repeat(ch === '"' ? slashes * 2 + 1 : slashes) + ch;
    slashes = 0;
  }
  // Backslashes before the closing quote are doubled too.
  return out + "\\".repeat(slashes * 2) + '"';
}

/** Joins argv into one Windows command line (the inverse of CommandLineToArgvW). */
export function joinArgs(argv: readonly string[]): string {
  return argv.map(quoteArg).join(" ");
}
