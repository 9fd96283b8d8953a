import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ENV_VARS, loadEnv } from "../../src/config/env.js";
import { configError } from "../support/throws.js";

describe("loadEnv", () => {
  it("starts with no configuration: in-memory backend, dev secret, the shipped catalog", () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      port: 4000,
      host: "0.0.0.0",
      redisUrl: null,
      keyPrefix: "mm",
      eventStreamRedisUrl: null,
      eventStreamKey: "game_event_stream",
      jwtSecretIsDefault: true,
      jwtIssuer: null,
      logLevel: "info",
      nodeEnv: "development",
      metricsPort: 9100,
      gameServerTimeoutMs: 3000,
      shutdownTimeoutMs: 10_000,
    });
    expect(env.jwtSecret.length).toBeGreaterThanOrEqual(16);
    expect(env.gameTypesPath).toBe(resolve(import.meta.dirname, "../../catalog/game-types.yaml"));
    expect(existsSync(env.gameTypesPath)).toBe(true);
    expect(Object.isFrozen(env)).toBe(true);
  });

  it("reads given values, treating empty ones as unset", () => {
    const env = loadEnv({
      PORT: "8080",
      REDIS_URL: "redis://cache:6379/2",
      REDIS_KEY_PREFIX: "prod.mm-1",
      MATCHMAKER_GAME_TYPES: "/etc/matchmaker/games.yaml",
      JWT_SECRET: "0123456789abcdef",
      JWT_ISSUER: "",
      LOG_LEVEL: "debug",
      NODE_ENV: "production",
      GAME_SERVER_TIMEOUT_MS: "500",
    });
    expect(env).toMatchObject({
      port: 8080,
      redisUrl: "redis://cache:6379/2",
      eventStreamRedisUrl: "redis://cache:6379/2",
      keyPrefix: "prod.mm-1",
      gameTypesPath: "/etc/matchmaker/games.yaml",
      jwtSecret: "0123456789abcdef",
      jwtSecretIsDefault: false,
      jwtIssuer: null,
      logLevel: "debug",
      nodeEnv: "production",
      gameServerTimeoutMs: 500,
    });
  });

  it("reports every invalid variable at once", () => {
    const err = configError(() =>
      loadEnv({
        PORT: "http",
        HOST: "localhost",
        REDIS_URL: "localhost:6379",
        REDIS_KEY_PREFIX: "mm:{x}",
        JWT_SECRET: "short",
        LOG_LEVEL: "verbose",
        NODE_ENV: "prod",
        GAME_SERVER_TIMEOUT_MS: "0",
        SHUTDOWN_TIMEOUT_MS: "5s",
      }),
    );
    expect(err.format().split("\n")).toEqual([
      'PORT: must be an integer between 1 and 65535, got "http"',
      "REDIS_URL: must be a redis:// or rediss:// URL, e.g. redis://localhost:6379",
      "REDIS_KEY_PREFIX: may only contain letters, digits, '_', '.' and '-'",
      "JWT_SECRET: must be at least 16 characters",
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
      'NODE_ENV: must be one of development, test, production, got "prod"',
      "GAME_SERVER_TIMEOUT_MS: must be at least 1",
      'SHUTDOWN_TIMEOUT_MS: must be an integer between 1 and 600000, got "5s"',
    ]);
    expect(err.message).toContain("Invalid environment variables");
  });

  it("refuses to run production with the well-known dev secret", () => {
    const err = configError(() => loadEnv({ NODE_ENV: "production", PORT: "0" }));
    expect(err.problems).toEqual([
      { path: "PORT", message: "must be at least 1" },
      { path: "JWT_SECRET", message: "is required when NODE_ENV is production" },
    ]);
    expect(loadEnv({ NODE_ENV: "test" }).jwtSecretIsDefault).toBe(true);
  });

  it("documents exactly the variables it reads, defaults matching behaviour", () => {
    const names = ENV_VARS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of ["PORT", "HOST", "REDIS_URL", "REDIS_KEY_PREFIX", "MATCHMAKER_GAME_TYPES", "JWT_SECRET", "JWT_ISSUER", "LOG_LEVEL", "NODE_ENV", "GAME_SERVER_TIMEOUT_MS", "SHUTDOWN_TIMEOUT_MS"]) {
      expect(names).toContain(name);
    }
    expect(ENV_VARS.every((v) => v.description.length > 10)).toBe(true);
    expect(ENV_VARS.find((v) => v.name === "PORT")!.default).toBe(String(loadEnv({}).port));
    // An unknown variable is ignored, not an error: the environment holds much else.
    expect(() => loadEnv({ PATH: "/usr/bin", MM_UNRELATED: "x" })).not.toThrow();
  });

  it("reads a Redis Cluster's seed nodes, its credentials, and where the stream is", () => {
    const env = loadEnv({ REDIS_CLUSTER_NODES: "10.0.0.1:7000, redis://app:s3cret@10.0.0.2:7001,[::1]:7002" });
    expect(env.redisUrl).toBeNull();
    expect(env.redisCluster).toEqual({
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "10.0.0.2", port: 7001 },
        { host: "::1", port: 7002 },
      ],
      username: "app",
      password: "s3cret",
      tls: false,
    });
    // The stream goes with the data unless told otherwise.
    expect(env.eventStreamCluster).toEqual(env.redisCluster);
    expect(loadEnv({ REDIS_CLUSTER_NODES: "a:1", EVENT_STREAM_REDIS_URL: "redis://s:6379/1" })).toMatchObject({ eventStreamCluster: null, eventStreamRedisUrl: "redis://s:6379/1" });
    expect(loadEnv({ REDIS_URL: "redis://d:6379", EVENT_STREAM_CLUSTER_NODES: "rediss://s:7000" })).toMatchObject({
      eventStreamRedisUrl: null,
      eventStreamCluster: { nodes: [{ host: "s", port: 7000 }], tls: true },
    });
  });

  it("refuses a cluster together with a single Redis, and seed nodes that are not host:port", () => {
    expect(configError(() => loadEnv({ REDIS_URL: "redis://a:6379", REDIS_CLUSTER_NODES: "b:7000" })).problems).toEqual([
      { path: "REDIS_CLUSTER_NODES", message: "cannot be set together with REDIS_URL: pick one Redis (a single server or a cluster)" },
    ]);
    for (const bad of ["localhost", "a:0", "a:99999", "redis://a:7000/1", "http://a:7000", ","]) {
      const [problem] = configError(() => loadEnv({ REDIS_CLUSTER_NODES: bad })).problems;
      expect(problem!.path, bad).toBe("REDIS_CLUSTER_NODES");
    }
    // A password in a refused entry is never echoed, however the entry is malformed.
    for (const bad of ["redis://u:topsecret@a:7000/3", "redis://u:top/secret@a:7000", "u:topsecret@a", "redis://u:top,secret@a:7000", "redis://u:top%zzsecret@a:7000"]) {
      const [problem] = configError(() => loadEnv({ REDIS_CLUSTER_NODES: bad })).problems;
      expect(problem!.path, bad).toBe("REDIS_CLUSTER_NODES");
      expect(problem!.message, bad).not.toMatch(/top|secret/);
    }
  });
});
