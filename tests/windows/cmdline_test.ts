import { deepEqual } from "node:assert/strict";
import { joinArgs } from "../../src/host/windows/cmdline.ts";
import { readWide, wide } from "../../src/host/windows/ffi/wide.ts";

const shell32 = Deno.dlopen(
  "shell32.dll",
  {
    CommandLineToArgvW: { parameters: ["buffer", "buffer"], result: "pointer" },
  } as const,
);
const kernel32 = Deno.dlopen(
  "kernel32.dll",
  {
    LocalFree: { parameters: ["pointer"], result: "pointer" },
  } as const,
);

/** Splits a command line with Windows' own CommandLineToArgvW. */
function windowsSplit(line: string): string[] {
  const argc = new Int32Array(1);
  const argv = shell32.symbols.CommandLineToArgvW(wide(line), argc);
  if (!argv) throw new Error("CommandLineToArgvW failed");
  const view = new Deno.UnsafePointerView(argv);
  const out = Array.from({ length: argc[0] }, (_, i) => readWide(view.getPointer(i * 8)!));
  kernel32.symbols.LocalFree(argv);
  return out;
}

Deno.test("CommandLineToArgvW splits joinArgs' output back into the same argv", () => {
  const cases = [
    ["exec", "java", "--", "idea-community"],
    ["exec", "m", "--", "sh", "-c", 'echo "a b" \\"c\\"'],
    ["C:\\Program Files\\x\\", "", "trailing\\\\", '\\"', "ünï ✓", "tab\tx"],
  ];
  for (const argv of cases) deepEqual(windowsSplit(`prog.exe ${joinArgs(argv)}`).slice(1), argv);
});
