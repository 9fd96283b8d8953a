import { Redis } from "ioredis";
import { z } from "zod";

/**
 * Where the example game server writes its events: XADD to a Redis stream as servers of the
 * original generation do (in database 1 by their convention), or — with the matchmaker in
 * embedded mode, which has no Redis — the reportGameEvents mutation with the type's secret.
 */
export interface EventSink {
  readonly where: string;
  /** Appends one entry; entries are written in the order emit is called. Failures are logged, not thrown. */
  emit(fields: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65_535).default(5001),
    HOST: z.string().default("0.0.0.0"),
    STREAM_REDIS_URL: z.string().url().optional(),
    EVENT_STREAM_KEY: z.string().min(1).default("game_event_stream"),
    MATCHMAKER_URL: z.string().url().optional(),
    SERVER_SECRET: z.string().min(1).optional(),
    PRODUCT_ID: z.string().min(1).default("tictactoe"),
    REMOVE_AFTER_MS: z.coerce.number().int().min(0).default(5_000),
  })
  .refine((c) => c.STREAM_REDIS_URL || (c.MATCHMAKER_URL && c.SERVER_SECRET), {
    message: "set STREAM_REDIS_URL (e.g. redis://localhost:6379/1), or MATCHMAKER_URL and SERVER_SECRET for reportGameEvents",
  });

export interface ExampleConfig {
  port: number;
  host: string;
  streamRedisUrl: string | null;
  streamKey: string;
  matchmakerUrl: string | null;
  secret: string | null;
  productId: string;
  removeAfterMs: number;
}

/** The example server's settings from the environment. Throws with every problem listed. */
export function loadExampleConfig(env: NodeJS.ProcessEnv): ExampleConfig {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const r = schema.safeParse(given);
  if (!r.success) throw new Error(`Invalid settings: ${r.error.issues.map((i) => `${i.path.join(".") || "config"} ${i.message}`).join("; ")}`);
  const c = r.data;
  return {
    port: c.PORT,
    host: c.HOST,
    streamRedisUrl: c.STREAM_REDIS_URL ?? null,
    streamKey: c.EVENT_STREAM_KEY,
    matchmakerUrl: c.MATCHMAKER_URL ?? null,
    secret: c.SERVER_SECRET ?? null,
    productId: c.PRODUCT_ID,
    removeAfterMs: c.REMOVE_AFTER_MS,
  };
}

const REPORT = "mutation Report($events: [GameEventInput!]!) { reportGameEvents(events: $events) }";

/** Opens the sink the config names (a Redis stream first). */
export async function openSink(c: Pick<ExampleConfig, "streamRedisUrl" | "streamKey" | "matchmakerUrl" | "secret">): Promise<EventSink> {
  let chain: Promise<void> = Promise.resolve();
  const inOrder = (write: () => Promise<void>) => (chain = chain.then(write).catch((err: unknown) => void process.stderr.write(`event not written: ${String(err)}\n`)));
  if (c.streamRedisUrl) {
    const redis = new Redis(c.streamRedisUrl, { maxRetriesPerRequest: 3 });
    redis.on("error", () => {});
    return {
      where: `stream ${c.streamKey} on ${c.streamRedisUrl}`,
      emit: (fields) => inOrder(async () => void (await redis.xadd(c.streamKey, "*", ...Object.entries(fields).flat()))),
      async close() {
        await chain;
        redis.disconnect();
      },
    };
  }
  const url = c.matchmakerUrl!;
  return {
    where: `reportGameEvents at ${url}`,
    emit: ({ product_id, game_id, type, ...fields }) =>
      inOrder(async () => {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${c.secret}` },
          body: JSON.stringify({ query: REPORT, variables: { events: [{ gameType: product_id, gameId: game_id, type, fields }] } }),
        });
        const answer = (await res.json().catch(() => null)) as { errors?: { message: string }[] } | null;
        if (!res.ok || answer?.errors?.length) throw new Error(`reportGameEvents refused the event: ${answer?.errors?.[0]?.message ?? res.status}`);
      }),
    close: () => chain,
  };
}
