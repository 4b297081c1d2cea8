/** What the tests that run codchi's shell snippets under every POSIX shell share. */

/** Words no shell may re-split, expand or reinterpret (empty, blanks, quotes, `$`, globs, …). */
export const HOSTILE_WORDS: readonly string[] = [
  "",
  " ",
  "a b",
  "$HOME",
  "`id`",
  "$(id)",
  "'",
  '"',
  "\\",
  "*",
  "-n",
  "--",
  "-e",
  "line1\nline2",
  "tab\there",
  "über 🚀",
  ";exit 9",
];

/** Why the shell binary at `path` cannot run here (for the test name), or undefined. */
export function shellMissing(path: string): string | undefined {
  try {
    return Deno.statSync(path).isFile ? undefined : `${path} is not a file`;
  } catch {
    return `${path} is missing (scripts/setup.sh --test-deps installs it)`;
  }
}
