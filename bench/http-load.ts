import { Agent, request } from "node:http";

/**
 * A small HTTP load generator for the hot-path bench: `concurrency` loops, each waiting for its
 * answer before sending the next request, over keep-alive connections (one per loop), so the
 * server's throughput at that concurrency is what is measured. node:http rather than fetch:
 * the load generator shares the machine with the server, and node:http costs it less.
 */
export interface GraphqlClient {
  /** POSTs one GraphQL request; resolves to the decoded JSON body. Rejects on a non-JSON answer. */
  post(body: string, headers?: Record<string, string>): Promise<GraphqlReply>;
  close(): void;
}

export interface GraphqlReply {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: unknown[];
}

export function graphqlClient(url: string, concurrency: number): GraphqlClient {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const { hostname, port, pathname } = new URL(url);
  return {
    post: (body, headers = {}) =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: hostname,
            port,
            path: pathname,
            method: "POST",
            agent,
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("error", reject);
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              try {
                resolve({ status: res.statusCode ?? 0, ...(JSON.parse(text) as Omit<GraphqlReply, "status">) });
              } catch {
                reject(new Error(`HTTP ${res.statusCode}: not JSON: ${text.slice(0, 200)}`));
              }
            });
          },
        );
        req.on("error", reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

/** Runs `op` in `concurrency` loops for `ms`; operations (as counted by op's result) per second, and how many. */
export async function rate(concurrency: number, ms: number, op: (loop: number) => Promise<number>): Promise<{ perSecond: number; done: number }> {
  let done = 0;
  const started = performance.now();
  const until = started + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      while (performance.now() < until) {
        const n = await op(loop); // not `done += await …`: that would add to a stale `done`
        done += n;
      }
    }),
  );
  return { perSecond: (done * 1_000) / (performance.now() - started), done };
}

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The value at fraction `p` of an ascending list (NaN when empty). */
export const percentile = (sorted: ArrayLike<number>, p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : Number.NaN;
