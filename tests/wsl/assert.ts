/** The few assertions the WSL tests use (no JSR here: node:assert underneath). */
import { deepStrictEqual, ok } from "node:assert";

/** Fails unless `cond` holds. */
export function assert(cond: unknown, msg?: string): asserts cond {
  ok(cond, msg);
}

/** Fails unless the two values are deeply equal. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  deepStrictEqual(actual, expected, msg);
}

/** Awaits `fn`, fails unless it rejects with `type` (and a message containing `includes`). */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  type: new (...a: any[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    ok(e instanceof type, `expected ${type.name}, got ${e}`);
    if (includes) {
      ok((e as Error).message.includes(includes), `"${(e as Error).message}" lacks "${includes}"`);
    }
    return e as E;
  }
  throw new Error(`expected a rejection with ${type.name}`);
}
