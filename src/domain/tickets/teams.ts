/**
 * Splitting the tickets of a match into teams: every team gets exactly `size` players, no party
 * is split, and the team ratings are as close as a bounded search finds. Layouts are small
 * (at most 100 players, 16 teams), but packing is NP-hard in general, so every search here has
 * a node budget and the cost of one call is bounded whatever the input.
 */

export interface Party {
  readonly id: string;
  /** Players in it (1 = solo). */
  readonly size: number;
  readonly rating: number;
}

export interface TeamSplit {
  /** Party ids per team. */
  readonly teams: string[][];
  /** Mean member rating per team, each party weighted by its size. */
  readonly teamRatings: number[];
  /** Highest team rating − lowest. */
  readonly difference: number;
}

/** DFS nodes one packing check may visit (one per candidate the matcher considers). */
export const PACK_BUDGET = 2_000;
/** DFS nodes the exact balancing search may visit per match. */
export const BALANCE_BUDGET = 20_000;
/** Up to this many parties, balancing also runs the exact (budgeted) search. */
export const EXHAUSTIVE_MAX_PARTIES = 12;
const SWAP_PASSES = 20;

/**
 * Puts parties of `sizes` into `count` teams of capacity `size`, no team over capacity. Returns
 * the team index of each party, or null when no such packing exists — or none was found within
 * `budget` DFS nodes, which callers treat as "does not fit" (it only ever refuses a candidate).
 * Solos fill any gap, so only the larger parties are searched (largest first, equal team loads
 * tried once).
 */
export function packParties(sizes: readonly number[], count: number, size: number, budget = PACK_BUDGET): number[] | null {
  let total = 0;
  for (const s of sizes) {
    if (s > size || s < 1) return null;
    total += s;
  }
  if (total > count * size) return null;
  const team = new Array<number>(sizes.length).fill(-1);
  const loads = new Array<number>(count).fill(0);
  const big = sizes.map((_, i) => i).filter((i) => sizes[i]! > 1);
  big.sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  let nodes = 0;
  const place = (k: number): boolean => {
    if (k === big.length) return true;
    if (++nodes > budget) return false;
    const i = big[k]!;
    const s = sizes[i]!;
    const tried: number[] = [];
    for (let t = 0; t < count; t++) {
      if (loads[t]! + s > size || tried.includes(loads[t]!)) continue;
      tried.push(loads[t]!);
      loads[t]! += s;
      team[i] = t;
      if (place(k + 1)) return true;
      loads[t]! -= s;
    }
    team[i] = -1;
    return false;
  };
  if (!place(0)) return null;
  let t = 0;
  for (let i = 0; i < sizes.length; i++) {
    if (sizes[i] !== 1) continue;
    while (loads[t]! >= size) t++; // total ≤ count × size leaves room for every solo
    team[i] = t;
    loads[t]! += 1;
  }
  return team;
}

/**
 * Splits `parties` (whose sizes add up to exactly count × size) into `count` teams of exactly
 * `size` players, minimising the difference in team rating: greedy (largest party, then highest
 * rating, into the weakest team with room), then swaps of equal-sized parties between teams
 * while they help, then — up to EXHAUSTIVE_MAX_PARTIES parties — an exact search within
 * BALANCE_BUDGET nodes. `start` is a known packing used when the greedy one does not fit.
 * Deterministic. Returns null when no split into exact teams is found.
 */
export function balanceTeams(parties: readonly Party[], count: number, size: number, start?: readonly number[] | null): TeamSplit | null {
  const order = parties.map((_, i) => i);
  order.sort((a, b) => parties[b]!.size - parties[a]!.size || parties[b]!.rating - parties[a]!.rating || cmp(parties[a]!.id, parties[b]!.id));
  let team = greedy(parties, order, count, size) ?? (start ? [...start] : packParties(parties.map((p) => p.size), count, size, BALANCE_BUDGET));
  if (team === null || !exact(parties, team, count, size)) return null;
  team = improveBySwaps(parties, team, count);
  if (parties.length <= EXHAUSTIVE_MAX_PARTIES && count > 1) team = exhaustive(parties, order, count, size, team);
  return split(parties, team, count, size);
}

function greedy(parties: readonly Party[], order: readonly number[], count: number, size: number): number[] | null {
  const team = new Array<number>(parties.length).fill(-1);
  const loads = new Array<number>(count).fill(0);
  const sums = new Array<number>(count).fill(0);
  for (const i of order) {
    const p = parties[i]!;
    let best = -1;
    for (let t = 0; t < count; t++) {
      if (loads[t]! + p.size > size) continue;
      if (best < 0 || sums[t]! < sums[best]!) best = t;
    }
    if (best < 0) return null;
    team[i] = best;
    loads[best]! += p.size;
    sums[best]! += p.size * p.rating;
  }
  return team;
}

function improveBySwaps(parties: readonly Party[], start: readonly number[], count: number): number[] {
  const team = [...start];
  for (let pass = 0; pass < SWAP_PASSES; pass++) {
    const sums = teamSums(parties, team, count);
    let best: [number, number] | null = null;
    let bestSpread = spreadOf(sums);
    for (let i = 0; i < parties.length; i++) {
      for (let j = i + 1; j < parties.length; j++) {
        const a = team[i]!;
        const b = team[j]!;
        if (a === b || parties[i]!.size !== parties[j]!.size) continue;
        const delta = parties[i]!.size * (parties[j]!.rating - parties[i]!.rating);
        const s = spreadWith(sums, a, sums[a]! + delta, b, sums[b]! - delta);
        if (s < bestSpread) [best, bestSpread] = [[i, j], s];
      }
    }
    if (best === null) break;
    const [i, j] = best;
    [team[i], team[j]] = [team[j]!, team[i]!];
  }
  return team;
}

function exhaustive(parties: readonly Party[], order: readonly number[], count: number, size: number, incumbent: number[]): number[] {
  let best = [...incumbent];
  let bestSpread = spreadOf(teamSums(parties, best, count));
  const team = new Array<number>(parties.length).fill(-1);
  const loads = new Array<number>(count).fill(0);
  let nodes = 0;
  const dfs = (k: number): void => {
    if (bestSpread === 0 || ++nodes > BALANCE_BUDGET) return;
    if (k === order.length) {
      // Summed afresh at each leaf: running sums would drift with floating-point ratings.
      const s = spreadOf(teamSums(parties, team, count));
      if (s < bestSpread) [best, bestSpread] = [[...team], s];
      return;
    }
    const i = order[k]!;
    const p = parties[i]!;
    let triedEmpty = false;
    for (let t = 0; t < count; t++) {
      if (loads[t]! + p.size > size) continue;
      if (loads[t] === 0) {
        if (triedEmpty) continue; // empty teams are interchangeable
        triedEmpty = true;
      }
      team[i] = t;
      loads[t]! += p.size;
      dfs(k + 1);
      loads[t]! -= p.size;
    }
  };
  dfs(0);
  return best;
}

function exact(parties: readonly Party[], team: readonly number[], count: number, size: number): boolean {
  const loads = new Array<number>(count).fill(0);
  parties.forEach((p, i) => (loads[team[i]!]! += p.size));
  return loads.every((l) => l === size);
}

function split(parties: readonly Party[], team: readonly number[], count: number, size: number): TeamSplit {
  const teams = Array.from({ length: count }, () => [] as string[]);
  parties.forEach((p, i) => teams[team[i]!]!.push(p.id));
  const teamRatings = teamSums(parties, team, count).map((s) => s / size);
  return { teams, teamRatings, difference: Math.max(...teamRatings) - Math.min(...teamRatings) };
}

function teamSums(parties: readonly Party[], team: readonly number[], count: number): number[] {
  const sums = new Array<number>(count).fill(0);
  parties.forEach((p, i) => (sums[team[i]!]! += p.size * p.rating));
  return sums;
}

const spreadOf = (sums: readonly number[]): number => Math.max(...sums) - Math.min(...sums);

/** spreadOf(sums) with sums[a] and sums[b] replaced, without copying. */
function spreadWith(sums: readonly number[], a: number, sa: number, b: number, sb: number): number {
  let hi = -Infinity;
  let lo = Infinity;
  for (let t = 0; t < sums.length; t++) {
    const v = t === a ? sa : t === b ? sb : sums[t]!;
    if (v > hi) hi = v;
    if (v < lo) lo = v;
  }
  return hi - lo;
}
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
