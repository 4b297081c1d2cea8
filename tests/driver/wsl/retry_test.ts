import { deepEqual, equal } from "node:assert/strict";
import {
  classifyWslError,
  nextDelay,
  type RetryPolicy,
  retryTransient,
  wslErrorCode,
} from "../../../src/driver/wsl/retry.ts";

Deno.test("classify: transient only for WSL's flaky errors, with wsl.exe's exit code", () => {
  const cat = "Catastrophic failure\nError code: Wsl/Service/E_UNEXPECTED\n";
  equal(classifyWslError(255, cat), "transient");
  equal(classifyWslError(-1, cat), "transient");
  equal(classifyWslError(4294967295, cat), "transient");
  equal(classifyWslError(1, cat), "other", "a Linux command's exit 1 is not WSL's");
  equal(
    classifyWslError(
      255,
      "The remote procedure call failed.\nError code: Wsl/Service/RPC_S_CALL_FAILED",
    ),
    "transient",
  );
  equal(
    classifyWslError(
      255,
      "There is no distribution with the supplied name.\nError code: Wsl/Service/WSL_E_DISTRO_NOT_FOUND",
    ),
    "not-found",
  );
  equal(
    classifyWslError(255, "x\nError code: Wsl/Service/RegisterDistro/ERROR_ALREADY_EXISTS"),
    "exists",
  );
  equal(classifyWslError(255, "x\nError code: Wsl/WSL_E_DEFAULT_DISTRO_NOT_FOUND"), "no-distros");
  equal(
    classifyWslError(255, "Sparse VHD support is disabled\nError code: Wsl/Service/E_INVALIDARG"),
    "sparse-disabled",
  );
  equal(
    classifyWslError(255, "Access is denied.\nError code: Wsl/Service/E_ACCESSDENIED"),
    "other",
  );
  equal(classifyWslError(255, "no error code line"), "other");
  equal(wslErrorCode("a\nError code: Wsl/X/Y\n"), "Wsl/X/Y");
});

const policy: RetryPolicy = { attempts: 4, totalMs: 1000, baseDelayMs: 100, maxDelayMs: 300 };

Deno.test("backoff doubles, is capped, and respects attempts and total time", () => {
  deepEqual([2, 3, 4].map((n) => nextDelay(policy, n, 0)), [100, 200, 300]);
  equal(nextDelay(policy, 5, 0), undefined);
  equal(nextDelay(policy, 3, 900), undefined);
});

Deno.test("retryTransient: retries transient attempts, logs, stops at the bound", async () => {
  const log: string[] = [];
  const slept: number[] = [];
  const sleep = (ms: number) => (slept.push(ms), Promise.resolve());
  let n = 0;
  const ok = await retryTransient(
    () => Promise.resolve(++n < 3 ? { value: n, transient: "E_UNEXPECTED" } : { value: n }),
    policy,
    (l) => log.push(l),
    sleep,
    () => 0,
  );
  deepEqual([ok.value, ok.attempts, ok.transient], [3, 3, undefined]);
  deepEqual(slept, [100, 200]);
  equal(log.length, 2);
  const bad = await retryTransient(
    () => Promise.resolve({ value: 0, transient: "RPC" }),
    policy,
    (l) => log.push(l),
    sleep,
    () => 0,
  );
  deepEqual([bad.attempts, bad.transient], [4, "RPC"]);
  equal(log.at(-1)?.includes("giving up after 4"), true);
  const real = await retryTransient(() => Promise.resolve({ value: 1 }), policy, () => {}, sleep);
  equal(real.attempts, 1);
});

Deno.test("the error code is found by its shape whatever the label's language", () => {
  equal(
    wslErrorCode("Schwerer Fehler\nFehlercode: Wsl/Service/E_UNEXPECTED\n"),
    "Wsl/Service/E_UNEXPECTED",
  );
  equal(
    wslErrorCode("x\nCode d'erreur\u00a0: Wsl/Service/RPC_S_CALL_FAILED"),
    "Wsl/Service/RPC_S_CALL_FAILED",
  );
  equal(
    wslErrorCode("x\n\u9519\u8bef\u4ee3\u7801: Wsl/Service/WSL_E_DISTRO_NOT_FOUND\r"),
    "Wsl/Service/WSL_E_DISTRO_NOT_FOUND",
  );
  equal(
    classifyWslError(255, "x\n\u9519\u8bef\u4ee3\u7801: Wsl/Service/E_UNEXPECTED"),
    "transient",
  );
  equal(classifyWslError(255, "Catastrophic failure"), "other", "texts alone are not trusted");
  equal(wslErrorCode("Windows Subsystem for Linux has no installed distributions."), undefined);
});
