import { pino, type Logger } from "pino";

/** JSON logs on stdout (what log shippers expect); level from LOG_LEVEL. */
export function createLogger(level: string, name = "matchmaker"): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
export type { Logger };
