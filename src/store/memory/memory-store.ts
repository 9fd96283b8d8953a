import { ErrorCode, MatchmakerError, gameNotFound } from "../../domain/errors.js";
import { compareKeys, type Cursor, type Page } from "../../domain/paging.js";
import { matchesFilter, sortScore } from "../../domain/filter.js";
import { ChangeKind, freeSeats, type GameChangeRecord, type GameRecord, type GameState, isPlayer } from "../../domain/game.js";
import { storeErrors } from "../store-errors.js";
import type {
  DeleteCommand,
  GameRef,
  GameStore,
  JoinCommand,
  LeaveCommand,
  ListQuery,
  UpdateCommand,
} from "../game-store.js";

/**
 * Embedded backend: one process, nothing persisted. Every method runs to completion
 * without awaiting in between, which is what makes each change atomic here.
 */
export function createMemoryStore(): GameStore {
  const games = new Map<string, GameRecord>();
  let closed = false;

  const copy = (g: GameRecord): GameRecord => structuredClone(g);
  const change = (kind: ChangeKind, g: GameRecord, previousState: GameState | null): GameChangeRecord => ({
    kind,
    gameId: g.id,
    gameType: g.gameType,
    version: g.version,
    previousState,
    game: copy(g),
  });
  const load = (ref: GameRef): GameRecord => {
    const g = games.get(ref.id);
    if (!g || g.gameType !== ref.gameType) throw gameNotFound(ref.id);
    return g;
  };
  const bump = (g: GameRecord, now: number) => {
    g.version += 1;
    g.updatedAt = now;
  };

  return {
    async create(game) {
      if (games.has(game.id)) throw new MatchmakerError(ErrorCode.INTERNAL_SERVER_ERROR, "Game id collision; retry.");
      const g = copy({ ...game, version: 1 });
      games.set(g.id, g);
      return change(ChangeKind.CREATED, g, null);
    },

    async get(ref) {
      const g = games.get(ref.id);
      return g && g.gameType === ref.gameType ? copy(g) : null;
    },

    async join(cmd: JoinCommand) {
      const g = load(cmd.ref);
      const previous = g.state;
      if (g.joinCode !== null && cmd.joinCode !== g.joinCode) throw storeErrors.wrongJoinCode();
      if (isPlayer(g, cmd.player.id)) throw storeErrors.alreadyJoined(g.id);
      if (freeSeats(g) <= 0) throw storeErrors.full(g.id);
      if (!cmd.joinable[g.state]) throw storeErrors.notJoinable(g.id, g.state);
      g.players.push({ ...cmd.player });
      if (freeSeats(g) === 0) g.state = cmd.seatsFilled[g.state] ?? g.state;
      bump(g, cmd.now);
      return change(ChangeKind.UPDATED, g, previous);
    },

    async leave(cmd: LeaveCommand) {
      const g = load(cmd.ref);
      const previous = g.state;
      if (!isPlayer(g, cmd.playerId)) throw storeErrors.notAPlayer(g.id);
      bump(g, cmd.now);
      if (cmd.playerId === g.creatorId) {
        games.delete(g.id);
        return change(ChangeKind.DELETED, g, previous);
      }
      g.players = g.players.filter((p) => p.id !== cmd.playerId);
      g.state = cmd.seatFreed[g.state] ?? g.state;
      return change(ChangeKind.UPDATED, g, previous);
    },

    async update(cmd: UpdateCommand) {
      const g = load(cmd.ref);
      const previous = g.state;
      if (!cmd.actor.admin && cmd.actor.id !== g.creatorId) throw storeErrors.notCreator(g.id);
      if (cmd.expectedVersion !== null && cmd.expectedVersion !== g.version) {
        throw storeErrors.versionConflict(g.id, g.version);
      }
      const p = cmd.patch;
      if (p.settings !== undefined) g.settings = structuredClone(p.settings);
      if (p.labels !== undefined) g.labels = { ...p.labels };
      if (p.visibility !== undefined) g.visibility = p.visibility;
      if (p.joinCode !== undefined) g.joinCode = p.joinCode;
      bump(g, cmd.now);
      return change(ChangeKind.UPDATED, g, previous);
    },

    async delete(cmd: DeleteCommand) {
      const g = load(cmd.ref);
      const previous = g.state;
      if (cmd.actor && !cmd.actor.admin && cmd.actor.id !== g.creatorId) throw storeErrors.notCreator(g.id);
      games.delete(g.id);
      bump(g, cmd.now);
      return change(ChangeKind.DELETED, g, previous);
    },

    async list(q: ListQuery): Promise<Page> {
      const dir = q.sort.direction;
      const keyed = [...games.values()]
        .filter((g) => matchesFilter(g, q.filter))
        .map((g) => ({ game: g, cursor: { score: sortScore(g, q.sort), id: g.id } as Cursor }))
        .sort((a, b) => compareKeys(a.cursor, b.cursor, dir));
      const after = q.after;
      const rest = after ? keyed.filter((k) => compareKeys(k.cursor, after, dir) > 0) : keyed;
      return {
        items: rest.slice(0, q.first).map((k) => ({ game: copy(k.game), cursor: k.cursor })),
        totalCount: keyed.length,
        hasNextPage: rest.length > q.first,
      };
    },

    async ping() {
      if (closed) throw new MatchmakerError(ErrorCode.BACKEND_UNAVAILABLE, "The store is closed.");
    },

    async close() {
      closed = true;
    },
  };
}
