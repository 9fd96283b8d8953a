import { pino, type Logger } from "pino";
import pretty from "pino-pretty";

/**
 * JSON logs on stdout (what log shippers expect), level from LOG_LEVEL; with `pretty` (the CLI
 * asks for it on a terminal outside production) the same records made readable by pino-pretty,
 * in this process (no worker thread to outlive it).
 */
export function createLogger(level: string, name = "matchmaker", opts: { pretty?: boolean } = {}): Logger {
  const base = { name, level, base: { pid: process.pid } };
  return opts.pretty ? pino(base, pretty({ colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,name" })) : pino(base);
}
export type { Logger };
