/** A plain reference for ticket matches: every rule written out over all members, nothing incremental. */
import type { ProposedMatch } from "../../src/domain/tickets/matcher.js";
import { type QueueConfig, WindowClock } from "../../src/domain/tickets/queue.js";
import type { Ticket } from "../../src/domain/tickets/ticket.js";
import { latencyAllowedAt, windowAt } from "../../src/domain/tickets/window.js";

const wait = (t: Ticket, now: number) => Math.max(0, now - t.enqueuedAt);

/** Whose wait each member's tolerance is taken from, per windowClock. */
export function clockWaits(q: QueueConfig, members: readonly Ticket[], now: number): number[] {
  const waits = members.map((t) => wait(t, now));
  if (q.windowClock === WindowClock.OWN) return waits;
  const w = q.windowClock === WindowClock.OLDEST ? Math.max(...waits) : Math.min(...waits);
  return waits.map(() => w);
}

/** Every rule a match breaks at `now` (empty: valid), judged from scratch. */
export function violations(q: QueueConfig, now: number, pooled: ReadonlyMap<string, Ticket>, m: ProposedMatch): string[] {
  const out: string[] = [];
  const members = m.tickets.map((r) => pooled.get(r.id));
  if (members.some((t) => t === undefined)) return ["a ticket that was not in the pool"];
  const ts = members as Ticket[];
  m.tickets.forEach((r, i) => r.version !== ts[i]!.version && out.push(`${r.id}: wrong version`));
  if (new Set(m.tickets.map((r) => r.id)).size !== ts.length) out.push("a ticket twice in one match");
  const cw = clockWaits(q, ts, now);
  const ratings = ts.map((t) => t.rating);
  const [min, max] = [Math.min(...ratings), Math.max(...ratings)];
  ts.forEach((t, i) => {
    const w = windowAt(q, cw[i]!);
    if (q.windowClock === WindowClock.OWN ? t.rating - w > min || max > t.rating + w : max - min > w) out.push(`${t.id}: window`);
  });
  if (q.region === null) {
    if (m.region !== null) out.push("a region without a region rule");
  } else if (m.region === null) {
    out.push("no region");
  } else {
    ts.forEach((t, i) => {
      const ms = t.latencies?.[m.region!];
      if (ms === undefined || ms > latencyAllowedAt(q, cw[i]!)) out.push(`${t.id}: latency to ${m.region}`);
    });
  }
  const sizes = ts.map((t) => t.playerIds.length);
  if (q.partySize.maxSpread !== null && Math.max(...sizes) - Math.min(...sizes) > q.partySize.maxSpread) out.push("party size spread");
  const players = sizes.reduce((a, b) => a + b, 0);
  const sizeOf = new Map(ts.map((t) => [t.id, t.playerIds.length]));
  const inTeams = m.teams.flat();
  if (inTeams.length !== ts.length || new Set(inTeams).size !== ts.length || inTeams.some((id) => !sizeOf.has(id))) {
    out.push("teams are not a partition of the tickets (a party split or lost)");
  }
  if (q.teams.kind === "teams") {
    if (m.teams.length !== q.teams.count) out.push("team count");
    m.teams.forEach((team, i) => {
      const n = team.reduce((s, id) => s + (sizeOf.get(id) ?? 0), 0);
      if (n !== (q.teams as { size: number }).size) out.push(`team ${i} has ${n} players`);
    });
  } else if (m.teams.length !== 1 || players < q.teams.minPlayers || players > q.teams.maxPlayers) {
    out.push(`group of ${players}`);
  }
  const byId = new Map(ts.map((t) => [t.id, t]));
  const means = m.teams.map((team) => team.reduce((s, id) => s + byId.get(id)!.rating * sizeOf.get(id)!, 0) / team.reduce((s, id) => s + sizeOf.get(id)!, 0));
  means.forEach((v, i) => Math.abs(v - m.teamRatings[i]!) > 1e-6 && out.push(`team ${i} rating`));
  if (Math.abs(m.teamDifference - (Math.max(...means) - Math.min(...means))) > 1e-6) out.push("team difference");
  if (m.ratingSpread !== max - min) out.push("rating spread");
  return out;
}
