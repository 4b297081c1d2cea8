/** The texts and encodings of wsl.exe's own output, as the simulator prints them. */

/** wsl.exe's exit code for its own errors (-1, seen by a Linux parent as 255). */
export const WSL_ERROR_EXIT = 255;

/** One of wsl.exe's failures: a message and the "Error code:" line under it. */
export interface WslFailure {
  message: string;
  code: string;
}

/** The failures the simulator can produce, keyed by a short kind name. */
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

/** A failure kind name. */
export type FailureKind = keyof typeof FAILURES;

/** The kinds WSL is known to recover from when the call is simply repeated. */
export const TRANSIENT_KINDS: FailureKind[] = ["catastrophic", "unexpected", "rpc", "timeout"];

/** "There is no distribution with the supplied name." for the given error-code prefix. */
export function notFound(where = "Wsl/Service"): WslFailure {
  return {
    message: "There is no distribution with the supplied name.",
    code: `${where}/WSL_E_DISTRO_NOT_FOUND`,
  };
}

/** "A distribution with the supplied name already exists." */
export const ALREADY_EXISTS: WslFailure = {
  message: "A distribution with the supplied name already exists.",
  code: "Wsl/Service/RegisterDistro/ERROR_ALREADY_EXISTS",
};

/** The install folder already holds a disk. */
export const LOCATION_IN_USE: WslFailure = {
  message: "The supplied install location is already in use.",
  code: "Wsl/Service/RegisterDistro/ERROR_FILE_EXISTS",
};

/** A file named on the command line does not exist. */
export const FILE_NOT_FOUND: WslFailure = {
  message: "The system cannot find the file specified.",
  code: "Wsl/Service/RegisterDistro/ERROR_FILE_NOT_FOUND",
};

/** `--list` with nothing installed. */
export const NO_DISTROS: WslFailure = {
  message: "Windows Subsystem for Linux has no installed distributions.\n" +
    "You can resolve this by installing a distribution with the instructions below:\n\n" +
    "Use 'wsl.exe --list --online' to list available distributions\n" +
    "and 'wsl.exe --install <Distro>' to install.",
  code: "Wsl/WSL_E_DEFAULT_DISTRO_NOT_FOUND",
};

/** `--manage --set-sparse true` on WSL 2.5 and later without `--allow-unsafe`. */
export const SPARSE_DISABLED: WslFailure = {
  message: "Sparse VHD support is currently disabled due to potential data corruption.\n" +
    "To force a distribution to use a sparse vhd, please run:\n" +
    "wsl.exe --manage <DistributionName> --set-sparse true --allow-unsafe",
  code: "Wsl/Service/E_INVALIDARG",
};

/** An operation that needs a stopped distribution. */
export const NOT_STOPPED: WslFailure = {
  message: "The operation could not be completed because the distribution is running.",
  code: "Wsl/Service/WSL_E_DISTRO_NOT_STOPPED",
};

/** `--user` names a user the distribution does not have. */
export const USER_NOT_FOUND: WslFailure = {
  message: "User not found.",
  code: "Wsl/Service/CreateInstance/WSL_E_USER_NOT_FOUND",
};

/** A tarball the simulator cannot unpack (the simulator's own wording). */
export const BAD_ARCHIVE: WslFailure = {
  message: "The archive could not be unpacked; it is not a valid tar file.",
  code: "Wsl/Service/RegisterDistro/E_INVALIDARG",
};

/** A command line wsl.exe does not understand. */
export function invalidArgument(arg: string): WslFailure {
  return {
    message: `Invalid command line argument: ${arg}\n` +
      "Please use 'wsl.exe --help' to get a list of supported arguments.",
    code: "Wsl/E_INVALIDARG",
  };
}

/** The success line of management commands. */
export const OK_LINE = "The operation completed successfully.";

/** The `--version` block of a WSL release. */
export function versionText(version: string): string {
  return [
    `WSL version: ${version}`,
    "Kernel version: 5.15.133.1-1",
    "WSLg version: 1.0.59",
    "MSRDC version: 1.2.4677",
    "Direct3D version: 1.611.1-81528511",
    "DXCore version: 10.0.25131.1002-220531-1700.rs-onecore-base2-hyp",
    "Windows version: 10.0.22631.2861",
  ].join("\n") + "\n";
}

/** A failure as wsl.exe prints it: the message, then "Error code: …". */
export function failureText(f: WslFailure): string {
  return `${f.message}\nError code: ${f.code}\n`;
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

/** The `--list --verbose` table: a NAME column as wide as the longest name plus four. */
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

/** The plain `--list` output. */
export function plainList(entries: ListEntry[]): string {
  const names = entries.map((e) => e.isDefault ? `${e.name} (Default)` : e.name);
  return ["Windows Subsystem for Linux Distributions:", ...names].join("\n") + "\n";
}
