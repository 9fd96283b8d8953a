import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import { type Actor, type GameRecord, initialState, type LabelValue, newGameRecord, Visibility } from "../domain/game.js";
import { badInput } from "../domain/errors.js";
import { matchesFilter, type NormalizedFilter } from "../domain/filter.js";
import type { GameTypeDef } from "../domain/game-type.js";
import { newGameId } from "../domain/ids.js";
import { normalizeLabels } from "../domain/labels.js";
import { partySeats, type SeatGroup } from "../domain/party.js";
import { labelsForCreated, type QuickJoinFilter, quickJoinFilter } from "../domain/quick-join.js";
import type { GameRef } from "../store/game-store.js";
import { isCode, JOINABLE, SEAT_FREED, SEATS_FILLED, type Seating } from "./seating.js";
import type { ServiceContext } from "./service-context.js";
import { type PartyOps, seatWithParty } from "./party-ops.js";
import { validateRegion } from "./validation.js";

export interface QuickJoinParams {
  gameType: string;
  region?: string | null;
  filter?: QuickJoinFilter | null;
  /** A party the caller leads: its members are seated with the caller, all or none (see seatWithParty). */
  partyId?: string | null;
  /** For a game quickJoin creates: its settings (defaults applied) and labels (the filter's `eq`s added). */
  settings?: unknown;
  labels?: unknown;
}

// A hosted game we were seated in can vanish while its server creates it (create_game failed): start over.
const ATTEMPTS = 3;

/**
 * The game a quickJoin may create must match the same quickJoin later, or every racer
 * with this filter would create its own game. Throws BAD_USER_INPUT naming what to give.
 */
function assertCreatedGameMatches(gameType: string, filter: NormalizedFilter, labels: Record<string, LabelValue>, hosted: boolean): void {
  // A party that fills the game makes it FULL: then nobody else is looking for it.
  const state = initialState({ capacity: 2, players: [], hosted });
  if (filter.states && !filter.states.includes(state)) {
    throw badInput(`quickJoin creates games in state ${state} when nothing fits: include ${state} in filter.states, or leave states out.`);
  }
  const probe = newGameRecord(newGameId(gameType), {
    gameType,
    creatorId: "probe",
    players: [],
    capacity: 0,
    visibility: Visibility.PUBLIC,
    region: null,
    settings: {},
    labels,
    hosted,
    now: 0,
  });
  const unmet = filter.labels.filter((lf) => !matchesFilter(probe, { ...filter, states: null, minFreeSeats: 0, regions: null, labels: [lf] }));
  if (unmet.length > 0) {
    throw badInput(
      `quickJoin filter on ${unmet.map((lf) => `"${lf.key}"`).join(", ")} would not match the game it creates when nothing fits: ` +
        "give input.labels values for the new game that satisfy the filter (e.g. labels: { skill: 1200 } with skill between 1000 and 1400).",
    );
  }
}

/** quickJoin: seat the caller and party in the best open game, or in a new one (refusals below). */
export function createQuickJoinOps(ctx: ServiceContext, seating: Seating, parties: PartyOps, creationWaitMs: number) {
  const { store, gameServers, now, gameType, publish } = ctx;

  /** Removes a game whose server game could not be made, and publishes that; gone already is fine. */
  async function dropGame(ref: GameRef): Promise<void> {
    try {
      await publish(await store.delete({ ref, actor: null, now: now() }));
    } catch (err) {
      // Left to its CREATED timeout: the sweeper removes it.
      if (!isCode(err, ErrorCode.GAME_NOT_FOUND)) ctx.logger.warn({ err, gameId: ref.id }, "could not remove a game whose creation failed");
    }
  }

  /**
   * Our new hosted game is already stored (CREATED, in the quick-join index, so racing
   * callers join it instead of creating more): ask the server for it, join the party
   * members to it, then store its token — the moment joiners waiting for it go ahead.
   * Any failure removes the game everywhere; joiners waiting then start over.
   */
  async function finishCreation(type: GameTypeDef, actor: Actor, game: GameRecord): Promise<GameRecord> {
    const ref = { gameType: type.id, id: game.id };
    let token: string;
    try {
      token = (await gameServers.createGame(type, game.id, actor.id, actor.name)).gameToken;
    } catch (err) {
      await dropGame(ref);
      if (isCode(err, ErrorCode.GAME_SERVER_UNAVAILABLE)) await ctx.removeGameLater(type, game.id);
      throw err;
    }
    try {
      await seating.serverJoinAll(type, game.id, game.players.filter((p) => p.id !== actor.id));
    } catch (err) {
      await dropGame(ref);
      await ctx.removeGameLater(type, game.id);
      throw err;
    }
    try {
      return (await publish(await store.attachServerToken(ref, token, now()))).game;
    } catch (err) {
      // Gone meanwhile (deleted by its creator or an admin): its server game must go too.
      if (isCode(err, ErrorCode.GAME_NOT_FOUND)) await ctx.removeGameLater(type, game.id);
      throw err;
    }
  }

  /**
   * We were seated in an existing hosted game: once its server game exists, join_game for
   * each of our seats; if the server refuses, our seats are freed again (all or none).
   * null when the game vanished before its server game was made (our seats went with it).
   */
  async function finishJoin(type: GameTypeDef, party: SeatGroup, game: GameRecord): Promise<GameRecord | null> {
    const ref = { gameType: type.id, id: game.id };
    let current: GameRecord | null = game;
    try {
      if (game.serverToken === null) current = await seating.awaitServerGame(ref, creationWaitMs);
      if (current === null) return null;
      await seating.serverJoinAll(type, game.id, game.players.filter((p) => party.ids.includes(p.id)));
      return current;
    } catch (err) {
      const change = await store.evict(ref, party.ids, SEAT_FREED, now()).catch(() => null);
      if (change) await publish(change);
      throw err;
    }
  }

  /** One quickJoin of `party` (the caller alone, or the members of the party they lead). */
  async function quickJoinGroup(actor: Actor, type: GameTypeDef, p: QuickJoinParams, party: SeatGroup): Promise<GameRecord> {
    const region = validateRegion(type, p.region);
    const filter = quickJoinFilter(type, p.filter, party.ids.length, gameType);
    const settings = ctx.validateSettings(type, p.settings);
    const labels = labelsForCreated(normalizeLabels(p.labels, type), filter);
    const hosted = gameServers.hasServer(type);
    assertCreatedGameMatches(type.id, filter, labels, hosted);
    const reservedFor = hosted ? type.seatReservationSeconds * 1_000 : null;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const t = now();
      const newGame = newGameRecord(newGameId(type.id), {
        gameType: type.id,
        creatorId: actor.id,
        players: partySeats(party, t, reservedFor, [actor.id]),
        capacity: type.maxPlayers,
        visibility: Visibility.PUBLIC,
        region,
        settings,
        labels,
        hosted,
        now: t,
      });
      const { change, created } = await store.quickJoin({
        gameType: type.id,
        maxLiveCreated: ctx.liveGamesCap(actor),
        partyGuard: party.party,
        players: partySeats(party, t, reservedFor),
        filter,
        region,
        prefer: type.quickJoin.prefer,
        scanBudget: type.quickJoin.scanBudget,
        joinable: JOINABLE,
        seatsFilled: SEATS_FILLED,
        newGame,
        now: t,
      });
      await publish(change);
      if (!hosted) return change.game;
      if (created) return finishCreation(type, actor, change.game);
      const joined = await finishJoin(type, party, change.game);
      if (joined) return joined;
    }
    throw new MatchmakerError(
      ErrorCode.GAME_SERVER_UNAVAILABLE,
      `The game server for ${type.name} failed to create the games you were matched into; try again shortly.`,
      { reason: "matched games vanished during creation" },
    );
  }

  return {
    /**
     * Seats the caller and their party in the best open public game of the type that fits
     * them all and matches region and filter (order per the type's quickJoin.prefer), or
     * creates one with them seated when none does, atomically. For a hosted type the game
     * is created on the game server after it is stored (see finishCreation) and the answer
     * carries its token. Rejects with UNKNOWN_GAME_TYPE, BAD_USER_INPUT (region, filter,
     * party, settings, labels), GAME_SERVER_REJECTED / GAME_SERVER_UNAVAILABLE (nothing of
     * the caller's left seated), BACKEND_UNAVAILABLE.
     */
    async quickJoin(actor: Actor, p: QuickJoinParams): Promise<GameRecord> {
      const type = gameType(p.gameType);
      const seated = await seatWithParty(parties, actor, p.partyId, type, now, async (group) => ({ game: await quickJoinGroup(actor, type, p, group) }));
      return seated.game;
    },
  };
}
