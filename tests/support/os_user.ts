/** Running a test's command as another OS user (root only): the users scripts/setup.sh makes. */

/** `argv` run as `user` (group `users`, with the user's other groups) through setpriv. */
export function asOsUser(user: string, argv: string[]): { cmd: string; args: string[] } {
  return {
    cmd: "setpriv",
    args: ["--reuid", user, "--regid", "users", "--init-groups", "--", ...argv],
  };
}
