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
