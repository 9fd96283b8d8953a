import type { GameState } from "@matchmaker/client";

export const STATES: readonly GameState[] = ["CREATED", "OPEN", "FULL", "IN_PROGRESS", "ENDED"];

export const STATE_LABEL: Record<GameState, string> = {
  CREATED: "waiting for host",
  OPEN: "open",
  FULL: "full",
  IN_PROGRESS: "in progress",
  ENDED: "ended",
};

/** "14:03:12" today, else a short date and time; the ISO value goes in the <time> element's datetime. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}

/** "in 4 min", "2 h ago". */
export function relative(ms: number, now = Date.now()): string {
  const diff = ms - now;
  const abs = Math.abs(diff);
  const unit = abs < 60_000 ? [Math.round(abs / 1_000), "s"] : abs < 3_600_000 ? [Math.round(abs / 60_000), "min"] : abs < 172_800_000 ? [Math.round(abs / 3_600_000), "h"] : [Math.round(abs / 86_400_000), "d"];
  return diff >= 0 ? `in ${unit[0]} ${unit[1]}` : `${unit[0]} ${unit[1]} ago`;
}

/** A game id without its `<type>_` prefix, which the page shows in its tab already. */
export const shortId = (id: string) => id.slice(id.lastIndexOf("_") + 1);

export const labelText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
