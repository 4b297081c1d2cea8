/**
 * The texts and encodings of wsl.exe's own output, as the simulator prints them. wsl.exe's own
 * messages come from WSL's resources (resw.ts) in the display language WSL_SIM_LOCALE; the texts
 * of Windows' system errors (FormatMessage: "Catastrophic failure", "The operation completed
 * successfully.") are not part of WSL's sources and stay English in every language here.
 * Everything wsl.exe prints itself, errors included, goes to stdout: WslClient.cpp prints errors
 * with wslutil::PrintMessage, whose stream defaults to stdout (src/windows/common/wslutil.h).
 */
import { type Locale, message } from "./resw.ts";

/** wsl.exe's exit code for its own errors (-1, seen by a Linux parent as 255). */
export const WSL_ERROR_EXIT = 255;

/** How this wsl.exe speaks: its display language and its release (e.g. "2.0.14.0"). */
export interface Speech {
  locale: Locale;
  version: string;
}

/** One of wsl.exe's failures: a message and, unless WSL leaves it out, the code under it. */
export interface WslFailure {
  message: string;
  /** `Wsl/…`; undefined: wsl.exe prints no "Error code:" line. */
  code?: string;
}

/** Whether release `v` is at least `major.minor`. */
export function versionAtLeast(v: string, major: number, minor: number): boolean {
  const [a, b] = v.split(".").map(Number);
  return a > major || (a === major && b >= minor);
}

/** Windows' system-error texts (not localised by the simulator), keyed by a short kind name. */
export const FAILURES = {
  catastrophic: { message: "Catastrophic failure", code: "Wsl/Service/E_UNEXPECTED" },
  unexpected: {
    message: "Catastrophic failure",
    code: "Wsl/Service/CreateInstance/E_UNEXPECTED",
  },
  rpc: { message: "The remote procedure call failed.", code: "Wsl/Service/RPC_S_CALL_FAILED" },
  timeout: {
    message:
      "The operation timed out because a response was not received from the virtual machine or container.",
    code: "Wsl/Service/CreateInstance/HCS_E_CONNECTION_TIMEOUT",
  },
  accessdenied: { message: "Access is denied.", code: "Wsl/Service/E_ACCESSDENIED" },
} as const satisfies Record<string, WslFailure>;

/** A failure kind name; "hang" is not a failure text but a call that never returns. */
export type FailureKind = keyof typeof FAILURES | "hang";

/** The kinds WSL is known to recover from when the call is simply repeated. */
export const TRANSIENT_KINDS: FailureKind[] = ["catastrophic", "unexpected", "rpc", "timeout"];

/** MessageDistroNotFound, with the given error-code prefix. */
export function notFound(s: Speech, where = "Wsl/Service"): WslFailure {
  return {
    message: message(s.locale, "MessageDistroNotFound"),
    code: `${where}/WSL_E_DISTRO_NOT_FOUND`,
  };
}

/** MessageDistroNameAlreadyExists. */
export function alreadyExists(s: Speech): WslFailure {
  return {
    message: message(s.locale, "MessageDistroNameAlreadyExists"),
    code: "Wsl/Service/RegisterDistro/ERROR_ALREADY_EXISTS",
  };
}

/** MessageDistroInstallPathAlreadyExists: the install folder already holds a disk. */
export function locationInUse(s: Speech): WslFailure {
  return {
    message: message(s.locale, "MessageDistroInstallPathAlreadyExists"),
    code: "Wsl/Service/RegisterDistro/ERROR_FILE_EXISTS",
  };
}

/** A file named on the command line does not exist (a system-error text). */
export const FILE_NOT_FOUND: WslFailure = {
  message: "The system cannot find the file specified.",
  code: "Wsl/Service/RegisterDistro/ERROR_FILE_NOT_FOUND",
};

/**
 * Nothing installed (WSL_E_DEFAULT_DISTRO_NOT_FOUND), per release:
 * - since 2.4: MessageNoDefaultDistro and NO "Error code:" line — WslClient.cpp skips the code
 *   for WSL_E_DEFAULT_DISTRO_NOT_FOUND and WSL_E_INVALID_USAGE (already in the first open-source
 *   commit 697572d66), and a transcript of `wsl -l` on 2.4.11.0 shows the message alone
 *   (MicrosoftDocs/WSL#2137);
 * - before (2.0 era, transcripts in microsoft/WSL#9338 and #9179): an older English text that
 *   points at the Store, followed by the code line.
 */
export function noDistros(s: Speech, where = "Wsl"): WslFailure {
  if (versionAtLeast(s.version, 2, 4)) {
    return { message: message(s.locale, "MessageNoDefaultDistro") };
  }
  return {
    message: "Windows Subsystem for Linux has no installed distributions.\n\n" +
      "Use 'wsl.exe --list --online' to list available distributions\n" +
      "and 'wsl.exe --install <Distro>' to install.\n\n" +
      "Distributions can also be installed by visiting the Microsoft Store:\n" +
      "https://aka.ms/wslstore",
    code: `${where}/WSL_E_DEFAULT_DISTRO_NOT_FOUND`,
  };
}

/** MessageSparseVhdDisabled: `--set-sparse true` on 2.5 and later without `--allow-unsafe`. */
export function sparseDisabled(s: Speech): WslFailure {
  return {
    message: message(s.locale, "MessageSparseVhdDisabled"),
    code: "Wsl/Service/E_INVALIDARG",
  };
}

/** An operation that needs a stopped distribution (a system-error text). */
export const NOT_STOPPED: WslFailure = {
  message: "The operation could not be completed because the distribution is running.",
  code: "Wsl/Service/WSL_E_DISTRO_NOT_STOPPED",
};

/** MessageUserNotFound: `--user` names a user the distribution does not have. */
export function userNotFound(s: Speech): WslFailure {
  return {
    message: message(s.locale, "MessageUserNotFound"),
    code: "Wsl/Service/CreateInstance/WSL_E_USER_NOT_FOUND",
  };
}

/** A tarball the simulator cannot unpack (the simulator's own wording). */
export const BAD_ARCHIVE: WslFailure = {
  message: "The archive could not be unpacked; it is not a valid tar file.",
  code: "Wsl/Service/RegisterDistro/E_INVALIDARG",
};

/** MessageInvalidCommandLine (WSL_E_INVALID_USAGE: no "Error code:" line, see noDistros). */
export function invalidArgument(s: Speech, arg: string): WslFailure {
  return { message: message(s.locale, "MessageInvalidCommandLine", arg, "wsl.exe") };
}

/** The success line of management commands (a system-error text: ERROR_SUCCESS). */
export const OK_LINE = "The operation completed successfully.";

/** MessageSystemdUserSessionFailed, as init prints it on stderr ("wsl: " + text, init.cpp). */
export function userSessionWarning(s: Speech, user: string): string {
  return `wsl: ${message(s.locale, "MessageSystemdUserSessionFailed", user)}\n`;
}

/** The `--version` block (MessagePackageVersions) of a WSL release. */
export function versionText(s: Speech): string {
  return message(
    s.locale,
    "MessagePackageVersions",
    s.version,
    "5.15.133.1-1",
    "1.0.59",
    "1.2.4677",
    "1.611.1-81528511",
    "10.0.25131.1002-220531-1700.rs-onecore-base2-hyp",
    "10.0.22631.2861",
  ) + "\n";
}

/** A failure as wsl.exe prints it: the message, then (MessageErrorCode) the code line, if any. */
export function failureText(f: WslFailure, s: Speech): string {
  return (f.code ? message(s.locale, "MessageErrorCode", f.message, f.code) : f.message) + "\n";
}

/** Encodes wsl.exe's own output: CRLF lines, UTF-16LE unless `utf8`. */
export function encodeWsl(text: string, utf8: boolean): Uint8Array {
  const crlf = text.replace(/\r?\n/g, "\r\n");
  if (utf8) return new TextEncoder().encode(crlf);
  const out = new Uint8Array(crlf.length * 2);
  for (let i = 0; i < crlf.length; i++) {
    const c = crlf.charCodeAt(i);
    out[2 * i] = c & 0xff;
    out[2 * i + 1] = c >> 8;
  }
  return out;
}

/** One distro as `--list` shows it. */
export interface ListEntry {
  name: string;
  state: string;
  version: number;
  isDefault: boolean;
}

/**
 * The `--list --verbose` table: a NAME column as wide as the longest name plus four. Header and
 * states are not localised (WSL_LIST_HEADER_* and literal state names in WslClient.cpp).
 */
export function verboseTable(entries: ListEntry[]): string {
  const width = Math.max(4, ...entries.map((e) => e.name.length)) + 4;
  const row = (mark: string, name: string, state: string, version: string) =>
    `${mark} ${name.padEnd(width)}${state.padEnd(16)}${version}`;
  const lines = [row(" ", "NAME", "STATE", "VERSION")];
  for (const e of entries) {
    lines.push(row(e.isDefault ? "*" : " ", e.name, e.state, String(e.version)));
  }
  return lines.join("\n") + "\n";
}

/** The plain `--list` output (MessageRegisteredDistrosHeader, MessagePrintDistroDefault). */
export function plainList(entries: ListEntry[], s: Speech): string {
  const names = entries.map((e) =>
    e.isDefault ? message(s.locale, "MessagePrintDistroDefault", e.name) : e.name
  );
  return [message(s.locale, "MessageRegisteredDistrosHeader"), ...names].join("\n") + "\n";
}

/** MessageNoRunningDistro (`--list --running` with none running; exit -1). */
export function noneRunning(s: Speech): string {
  return message(s.locale, "MessageNoRunningDistro") + "\n";
}

/** MessageImportProgress / MessageExportProgress / MessageConversionStart / Unregistering. */
export function progress(
  s: Speech,
  what:
    | "MessageImportProgress"
    | "MessageExportProgress"
    | "MessageConversionStart"
    | "MessageStatusUnregistering",
): string {
  return message(s.locale, what) + "\n";
}
