import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Metrics } from "../metrics.js";

/** The probe and metrics port of a worker-only process, and of every process in production. */
export function createWorkerServer(opts: { metrics: Metrics; healthy: () => boolean; active?: () => boolean }) {
  const server: Server = createServer(async (req, res) => {
    if (req.url === "/healthz") {
      const ok = opts.healthy();
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
      // A standby is as healthy as the active worker: it takes over when that one dies.
      const role = opts.active ? { role: opts.active() ? "active" : "standby" } : {};
      res.end(JSON.stringify({ status: ok ? "ok" : "stopped", ...role }));
    } else if (req.url === "/metrics") {
      res.writeHead(200, { "content-type": opts.metrics.registry.contentType });
      res.end(await opts.metrics.registry.metrics());
    } else {
      res.writeHead(404).end();
    }
  });
  let closing: Promise<void> | null = null;
  return {
    listen: (port: number, host?: string) =>
      new Promise<AddressInfo>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => resolve(server.address() as AddressInfo));
      }),
    close() {
      closing ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return closing;
    },
  };
}
