import { describe, expect, it } from "vitest";
import { createMemoryBus } from "../../src/bus/memory-bus.js";
import { parseCatalog } from "../../src/config/catalog.js";
import { ErrorCode, MatchmakerError } from "../../src/domain/errors.js";
import { ChangeKind, type GameChangeRecord, GameState, Visibility } from "../../src/domain/game.js";
import { HostLeaves, QuickJoinPreference } from "../../src/domain/game-type.js";
import { canonicalJoinCode, newJoinCode } from "../../src/domain/ids.js";
import { newParty, newPartyId, parsePartyId, partySeats, seatGroupOf, withMember, withoutMember } from "../../src/domain/party.js";
import { labelsForCreated, quickJoinFilter } from "../../src/domain/quick-join.js";
import { configError } from "../support/throws.js";
import { actor, DUEL, makeGame, testCatalog } from "../support/games.js";

const badInput = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect((err as MatchmakerError).code).toBe(ErrorCode.BAD_USER_INPUT);
    return (err as Error).message;
  }
  throw new Error("expected BAD_USER_INPUT");
};

describe("catalog keys hostLeaves and quickJoin", () => {
  const entry = (extra: string) => `gameTypes:\n  - id: a\n    name: A\n    minPlayers: 1\n    maxPlayers: 4\n${extra}`;

  it("default to close and fewest free seats with a budget of 50", () => {
    expect(parseCatalog(entry(""), "x.yaml").get("a")).toMatchObject({
      hostLeaves: HostLeaves.CLOSE,
      quickJoin: { prefer: QuickJoinPreference.FEWEST_FREE_SEATS, scanBudget: 50 },
    });
    const set = parseCatalog(entry("    hostLeaves: migrate\n    quickJoin: { prefer: oldest, scanBudget: 5 }\n"), "x.yaml");
    expect(set.get("a")).toMatchObject({ hostLeaves: HostLeaves.MIGRATE, quickJoin: { prefer: QuickJoinPreference.OLDEST, scanBudget: 5 } });
  });

  it("are validated with the rest of the catalog", () => {
    const err = configError(() => parseCatalog(entry("    hostLeaves: stay\n    quickJoin: { prefer: best, scanBudget: 0, budget: 3 }\n"), "x.yaml"));
    expect(err.problems.map((p) => `${p.path}: ${p.message}`).sort()).toEqual([
      'gameTypes[0].hostLeaves: must be one of "close", "migrate"',
      "gameTypes[0].quickJoin.budget: unknown key (misspelt?)",
      'gameTypes[0].quickJoin.prefer: must be one of "fewestFreeSeats", "mostFreeSeats", "oldest"',
      "gameTypes[0].quickJoin.scanBudget: must be >= 1",
    ]);
  });
});

describe("parties", () => {
  const alice = actor("alice");
  const bob = { ...actor("bob"), name: "Bob" };
  const carol = { ...actor("carol"), name: "Carol" };
  const codeOfErr = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return (err as { code: string }).code;
    }
    return "none";
  };

  it("seat the caller first, then every member under the name they joined with", () => {
    const party = withMember(withMember(newParty("p", "duel", alice, 4, 1), bob, 2), carol, 3);
    const group = seatGroupOf(alice, party);
    expect(group.ids).toEqual(["alice", "bob", "carol"]);
    expect(group.party).toEqual({ id: "p", version: 3 });
    const seats = partySeats(group, 100, 30_000, ["alice"]);
    expect(seats.map((s) => [s.id, s.name, s.confirmed, s.reservedUntil])).toEqual([
      ["alice", "alice", true, null],
      ["bob", "Bob", false, 30_100],
      ["carol", "Carol", false, 30_100],
    ]);
    expect(partySeats(seatGroupOf(alice, null), 100, null)).toEqual([{ id: "alice", name: "alice", joinedAt: 100, confirmed: true, reservedUntil: null }]);
  });

  it("take each member once, up to maxSize; a leader who leaves hands over; the last one out ends it", () => {
    const pair = withMember(newParty("p", "duel", alice, 2, 1), bob, 2);
    expect(codeOfErr(() => withMember(pair, bob, 3))).toBe("ALREADY_JOINED");
    expect(codeOfErr(() => withMember(pair, carol, 3))).toBe("PARTY_FULL");
    expect(codeOfErr(() => withoutMember(pair, "alice", bob, 3))).toBe("FORBIDDEN");
    expect(codeOfErr(() => withoutMember(pair, "carol", alice, 3))).toBe("NOT_A_PLAYER");
    const handedOver = withoutMember(pair, "alice", alice, 3)!;
    expect([handedOver.leaderId, handedOver.version, handedOver.members.map((m) => m.id)]).toEqual(["bob", 3, ["bob"]]);
    expect(withoutMember(handedOver, "bob", bob, 4)).toBeNull();
  });

  it("are found by ids that carry their type, and by nothing else", () => {
    const id = newPartyId("party-quiz");
    expect(parsePartyId(id)).toEqual({ gameType: "party-quiz", id });
    for (const bad of ["party_x", "party-quiz_0123456789abcdef", `${id}x`, "party__0123456789abcdef"]) expect(parsePartyId(bad)).toBeNull();
  });
});

describe("join codes", () => {
  it("read back whatever the case and blanks, and reject what cannot be a code", () => {
    const code = newJoinCode();
    expect(canonicalJoinCode(` ${code.toLowerCase()}\n`)).toBe(code);
    for (const bad of ["", "ABCDE", "ABCDEFG", "ABCDE0", "ABCDEI", "ABC DE"]) expect(canonicalJoinCode(bad)).toBeNull();
  });
});

describe("quickJoinFilter", () => {
  const duel = testCatalog.get(DUEL)!;
  const resolve = () => duel;

  it("is the lobby filter: public, room for the party, states and coerced labels", () => {
    const f = quickJoinFilter(duel, { states: [GameState.OPEN], labels: [{ key: "rating", eq: "1200" as never }] }, 3, resolve);
    expect(f).toMatchObject({ gameTypes: [DUEL], visibility: Visibility.PUBLIC, minFreeSeats: 3, states: [GameState.OPEN] });
    expect(f.labels).toEqual([{ key: "rating", eq: 1200 }]);
    expect(labelsForCreated({ mode: "casual", note: "x" }, quickJoinFilter(duel, { labels: [{ key: "mode", eq: "ranked" }] }, 1, resolve))).toEqual({
      mode: "ranked",
      note: "x",
    });
  });

  it("refuses undeclared labels and comparisons quickJoin does not make", () => {
    expect(badInput(() => quickJoinFilter(duel, { labels: [{ key: "colour", eq: "red" }] }, 1, resolve))).toMatch(/not declared/);
    const near = { key: "rating", near: 5 } as never;
    expect(badInput(() => quickJoinFilter(duel, { labels: [near] }, 1, resolve))).toMatch(/quickJoin compares with/);
  });
});

describe("ChangeBus and a game turning private", () => {
  it("tells lobby watchers it left (DELETED, no game) and the game's watchers what changed", async () => {
    const bus = createMemoryBus("t");
    const lobby = bus.subscribe([bus.topics.gameType(DUEL)]);
    const one = bus.subscribe([bus.topics.game("duel_x")]);
    const game = makeGame({ id: "duel_x", visibility: Visibility.PRIVATE, joinCode: "SECRET" });
    const change: GameChangeRecord = { kind: ChangeKind.UPDATED, gameId: game.id, gameType: DUEL, version: 3, previousState: GameState.OPEN, game };
    const nextLobby = lobby.next();
    const nextOne = one.next();
    await bus.publish({ ...change, version: 3, previousVisibility: Visibility.PUBLIC });
    await bus.publish({ ...change, version: 4 }); // private all along: the lobby hears nothing
    await bus.publish({ ...change, version: 5, game: { ...game, visibility: Visibility.PUBLIC }, previousVisibility: Visibility.PRIVATE });
    expect((await nextLobby).value).toEqual({ kind: ChangeKind.DELETED, gameId: "duel_x", gameType: DUEL, version: 3, previousState: GameState.OPEN, game: null });
    expect((await lobby.next()).value).toMatchObject({ kind: ChangeKind.UPDATED, version: 5 });
    expect((await nextOne).value).toMatchObject({ kind: ChangeKind.UPDATED, version: 3, game: { joinCode: "SECRET" } });
    await bus.close();
  });
});
