import type { IncomingMessage } from "node:http";

/**
 * The client's address: the socket's peer, or — behind `trustedHops` reverse proxies — the
 * address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, so a
 * client cannot pick its own by sending the header). At most 64 characters: it becomes a
 * rate-limit key. Never throws.
 */
export function clientAddress(req: Pick<IncomingMessage, "headers" | "socket">, trustedHops: number): string {
  const peer = req.socket.remoteAddress ?? "unknown";
  if (trustedHops <= 0) return peer.slice(0, 64);
  const header = req.headers["x-forwarded-for"];
  const chain = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",").map((s) => s.trim()).filter(Boolean);
  const hop = chain[chain.length - trustedHops];
  return (hop ?? chain[0] ?? peer).slice(0, 64);
}
