/** Small assertions on node:assert (JSR's @std/assert cannot be reached from this project's hosts). */
import { deepStrictEqual, ok } from "node:assert/strict";

/** Deep, strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  deepStrictEqual(actual, expected, message);
}

/** A truthy condition. */
export function assert(cond: unknown, message?: string): asserts cond {
  ok(cond, message);
}

/** Calls `fn`, expects it to throw an instance of `cls`, returns the error. */
export function assertThrows<E extends Error>(fn: () => unknown, cls: new (...a: never[]) => E): E {
  try {
    fn();
  } catch (e) {
    if (e instanceof cls) return e;
    throw new Error(`expected ${cls.name}, got ${e}`);
  }
  throw new Error(`expected ${cls.name}, nothing was thrown`);
}

/** Awaits `fn`, expects it to reject with an instance of `cls`, returns the error. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  cls: new (...a: never[]) => E,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof cls) return e;
    throw new Error(`expected ${cls.name}, got ${e}`);
  }
  throw new Error(`expected ${cls.name}, nothing was thrown`);
}
