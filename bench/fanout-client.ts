/**
 * Subscriber connections of the fan-out bench, in their own process (forked by
 * fanout.bench.ts, so the clients' work is not the server's): raw `ws` clients — no GraphQL
 * client library, so a frame costs a client the same whichever server sent it. For the project
 * each speaks graphql-transport-ws by hand (connection_init, connection_ack, one subscribe of
 * gameChanged(gameType)); for bare ws a connection is just open.
 *
 * A frame is counted, and its change told by the `"seq":N` in it (found with Buffer.indexOf,
 * never JSON.parse). While tracking, each connection keeps the receive time of each seq
 * (performance.timeOrigin + performance.now(), the clock the driver stamps its sends with).
 *
 * IPC: { id, cmd, ... } answered with { id, ... } or { id, error }:
 *   connect { url, kind, count, first, query } → opens `count` connections (addresses first…);
 *   track { maxSeq }     → from now on, receive times of seqs 1..maxSeq per connection;
 *   count                → { frames, bytes, at, cpuUs } so far;
 *   received { seqs }    → how many (connection, seq) of those seqs arrived;
 *   report { sends }     → latencies (receive − send, ms) of [seq, sendTime] pairs, and the misses;
 *   stop                 → closes every connection and exits.
 */
import { WebSocket } from "ws";

const SEQ = Buffer.from('"seq":');
const ACK = Buffer.from('"connection_ack"');
const now = () => performance.timeOrigin + performance.now();

interface Conn {
  ws: WebSocket;
  /** Receive time per seq while tracking (0: not received). */
  times: Float64Array | null;
}

const conns: Conn[] = [];
let frames = 0;
let bytes = 0;
let duplicates = 0;
/** Frames of a seq beyond the tracked range. */
let untracked = 0;
/** Messages that are neither a seq frame nor the ack (errors, completes), the first few kept. */
let others = 0;
const otherSamples: string[] = [];
/** Connections that closed after they were ready. */
let closedEarly = 0;
const closeSamples: string[] = [];
let maxSeq = 0;

/** The N of the first `"seq":N` in a frame, or -1. */
function seqOf(data: Buffer): number {
  const at = data.indexOf(SEQ);
  if (at < 0) return -1;
  let n = 0;
  for (let i = at + SEQ.length; i < data.length; i++) {
    const c = data[i]!;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return n;
}

const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

function open(url: string, kind: string, index: number, query: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const project = kind === "project";
    const ws = new WebSocket(url, project ? "graphql-transport-ws" : undefined, {
      // Behind the project's one trusted proxy hop: each connection its own client address.
      headers: { "x-forwarded-for": address(index) },
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    const conn: Conn = { ws, times: null };
    let ready = false;
    const fail = (why: string) => {
      if (ready) return;
      ready = true; // settle once
      ws.terminate();
      reject(new Error(`connection ${index} (${address(index)}): ${why}`));
    };
    const timer = setTimeout(() => fail("not ready within 30 s"), 30_000);
    const isReady = () => {
      clearTimeout(timer);
      ready = true;
      resolve(conn);
    };
    ws.on("unexpected-response", (_req, res) => fail(`HTTP ${res.statusCode} ${res.statusMessage} on upgrade`));
    ws.on("error", (err) => fail(err.message));
    ws.on("open", () => {
      if (project) ws.send('{"type":"connection_init","payload":{}}');
      else isReady();
    });
    ws.on("close", (code, reason) => {
      if (!ready) return fail(`closed ${code} ${reason.toString()} before it was ready`);
      closedEarly++;
      if (closeSamples.length < 3) closeSamples.push(`${code} ${reason.toString()}`);
    });
    let acked = !project;
    ws.on("message", (data: Buffer) => {
      const seq = seqOf(data);
      if (seq < 0) {
        if (!acked && data.indexOf(ACK) >= 0) {
          acked = true;
          ws.send(query);
          // Ready once subscribe is sent; the bench waits for the server's count of subscribers.
          isReady();
          return;
        }
        others++;
        if (otherSamples.length < 3) otherSamples.push(data.toString("utf8").slice(0, 300));
        return;
      }
      frames++;
      bytes += data.length;
      const times = conn.times;
      if (times) {
        if (seq > maxSeq) untracked++;
        else if (times[seq] !== 0) duplicates++;
        else times[seq] = now();
      }
    });
  });
}

async function connect(msg: { url: string; kind: string; count: number; first: number; query: string; concurrency?: number }): Promise<object> {
  let next = 0;
  const concurrency = msg.concurrency ?? 200;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, msg.count) }, async () => {
      while (next < msg.count) {
        const i = next++;
        conns.push(await open(msg.url, msg.kind, msg.first + i, msg.query));
      }
    }),
  );
  return { n: conns.length, ms: performance.now() - started };
}

function received(seqs: number[]): number {
  let n = 0;
  for (const c of conns) {
    const times = c.times;
    if (!times) continue;
    for (const s of seqs) if (s <= maxSeq && times[s] !== 0) n++;
  }
  return n;
}

function report(sends: [number, number][]): object {
  const latencies: number[] = [];
  let missed = 0;
  for (const c of conns) {
    const times = c.times;
    for (const [seq, sentAt] of sends) {
      const t = times && seq <= maxSeq ? times[seq]! : 0;
      if (t === 0) missed++;
      else latencies.push(Math.round((t - sentAt) * 100) / 100);
    }
  }
  return { latencies, missed, duplicates, untracked, others, otherSamples, closedEarly, closeSamples };
}

process.on("disconnect", () => process.exit(0));
process.on("message", async (msg: { id: number; cmd: string } & Record<string, unknown>) => {
  const reply = (body: object) => process.connected && process.send!({ id: msg.id, ...body });
  try {
    switch (msg.cmd) {
      case "connect":
        reply(await connect(msg as never));
        break;
      case "track":
        maxSeq = msg.maxSeq as number;
        duplicates = untracked = 0;
        for (const c of conns) c.times = new Float64Array(maxSeq + 1);
        reply({});
        break;
      case "count": {
        const { user, system } = process.cpuUsage();
        reply({ frames, bytes, at: now(), cpuUs: user + system });
        break;
      }
      case "received":
        reply({ n: received(msg.seqs as number[]) });
        break;
      case "report":
        reply(report(msg.sends as [number, number][]));
        break;
      case "stop":
        for (const c of conns) c.ws.terminate();
        reply({});
        process.exit(0);
        break;
      default:
        reply({ error: `unknown command ${msg.cmd}` });
    }
  } catch (err) {
    reply({ error: err instanceof Error ? err.message : String(err) });
  }
});
process.send!({ ready: true });
