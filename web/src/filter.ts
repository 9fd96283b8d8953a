import type { GameFilter, GameState, LabelFilter, QuickJoinInput } from "@matchmaker/client";

/** A declared label of a game type, as `gameTypes { labels { key kind } }` lists it. */
export interface LabelDeclaration {
  key: string;
  kind: string;
}

/** What the filter panel holds: the form's raw text, turned into a GameFilter on Apply. */
export interface FilterForm {
  regions: string[];
  /** For types that declare no regions: comma-separated. */
  regionsText: string;
  minFreeSeats: string;
  states: GameState[];
  includeWaitingForHost: boolean;
  /** Per declared label: eq (strings and numbers), gte and lte (numbers). */
  labels: Record<string, { eq: string; gte: string; lte: string }>;
}

export const emptyFilter = (): FilterForm => ({
  regions: [],
  regionsText: "",
  minFreeSeats: "",
  states: [],
  includeWaitingForHost: false,
  labels: {},
});

export interface FilterProblem {
  field: string;
  message: string;
}

const num = (text: string, field: string, problems: FilterProblem[]): number | undefined => {
  const t = text.trim();
  if (t === "") return undefined;
  const n = Number(t);
  if (!Number.isFinite(n)) {
    problems.push({ field, message: `${JSON.stringify(t)} is not a number` });
    return undefined;
  }
  return n;
};

/** The regions the form selects (checkboxes, or the text field for types without declared regions). */
export const selectedRegions = (form: FilterForm): string[] =>
  form.regions.length > 0
    ? form.regions
    : form.regionsText
        .split(",")
        .map((r) => r.trim())
        .filter((r) => r !== "");

/**
 * The lobby search filter the form describes (without gameType: the lobby adds it), with the
 * lobby's semantics: a string label matches `eq`, a numeric one `eq`, `gte` and `lte`.
 */
export function toGameFilter(form: FilterForm, declared: readonly LabelDeclaration[]): { filter: Omit<GameFilter, "gameType">; problems: FilterProblem[] } {
  const problems: FilterProblem[] = [];
  const filter: Omit<GameFilter, "gameType"> = {};
  const regions = selectedRegions(form);
  if (regions.length > 0) filter.regions = regions;
  const min = num(form.minFreeSeats, "minFreeSeats", problems);
  if (min !== undefined) {
    if (!Number.isInteger(min) || min < 0) problems.push({ field: "minFreeSeats", message: "must be a whole number, 0 or more" });
    else filter.minFreeSeats = min;
  }
  if (form.states.length > 0) filter.states = [...form.states];
  if (form.includeWaitingForHost) filter.includeWaitingForHost = true;
  const labels = labelFilters(form, declared, problems);
  if (labels.length > 0) filter.labels = labels;
  return { filter, problems };
}

function labelFilters(form: FilterForm, declared: readonly LabelDeclaration[], problems: FilterProblem[]): LabelFilter[] {
  const out: LabelFilter[] = [];
  for (const { key, kind } of declared) {
    const f = form.labels[key];
    if (!f) continue;
    if (kind === "number") {
      const lf: LabelFilter = { key };
      const eq = num(f.eq, `label.${key}.eq`, problems);
      const gte = num(f.gte, `label.${key}.gte`, problems);
      const lte = num(f.lte, `label.${key}.lte`, problems);
      if (eq !== undefined) lf.eq = String(eq);
      if (gte !== undefined) lf.gte = gte;
      if (lte !== undefined) lf.lte = lte;
      if (gte !== undefined && lte !== undefined && gte > lte) problems.push({ field: `label.${key}.gte`, message: `${key}: ≥ ${gte} and ≤ ${lte} match nothing` });
      if (Object.keys(lf).length > 1) out.push(lf);
    } else if (f.eq.trim() !== "") {
      out.push({ key, eq: f.eq.trim() });
    }
  }
  return out;
}

/**
 * quickJoin with the lobby's filter: its one region (quickJoin takes one), and its label
 * comparisons — the filter's `eq` values become the labels of a game quickJoin creates.
 * States and free seats are quickJoin's own business (it only seats where there is room).
 */
export function toQuickJoin(gameType: string, filter: Omit<GameFilter, "gameType">): { input: QuickJoinInput } | { problem: string } {
  const regions = filter.regions ?? [];
  if (regions.length > 1) return { problem: "Quick join looks in one region: select one region (or none) in the filter." };
  const input: QuickJoinInput = { gameType };
  if (regions.length === 1) input.region = regions[0];
  if (filter.labels?.length) input.filter = { labels: filter.labels };
  return { input };
}

/** How many filter parts are set, for the panel's summary. */
export const activeParts = (f: Omit<GameFilter, "gameType">) =>
  (f.regions ? 1 : 0) + (f.minFreeSeats != null ? 1 : 0) + (f.states ? 1 : 0) + (f.includeWaitingForHost ? 1 : 0) + (f.labels?.length ?? 0);
