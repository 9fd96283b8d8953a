import { expect } from "vitest";
import { ConfigError } from "../../src/config/errors.js";

/** Runs fn and returns the ConfigError it must throw (fails the test otherwise). */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

/** The ErrorCode `fn` throws, or null when it returns. */
export function thrownCode(fn: () => unknown): string | null {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? null;
  }
  return null;
}
