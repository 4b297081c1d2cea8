/** What every driver's login wrapper does before it runs a command: the user's `$SHELL`. */

/**
 * Shell code that exports `SHELL` as the user's login shell (the last field of its passwd entry,
 * from NSS via getent, else /etc/passwd; `/bin/sh` when it has none), whatever `SHELL` was: tools
 * such as tmux, editors' terminals and `:sh` start `$SHELL`.
 */
export const EXPORT_SHELL = 'u=${USER:-$(id -un)}; s=$(getent passwd "$u" 2>/dev/null) || ' +
  's=$(grep "^$u:" /etc/passwd 2>/dev/null); s=${s##*:}; export SHELL="${s:-/bin/sh}"; ' +
  "unset u s; ";
