/**
 * The game-type catalog: a YAML file read once at start-up. Format (see the shipped
 * catalog/game-types.yaml for a commented example):
 *
 *   gameTypes:
 *     - id: tictactoe                 # required; ^[a-z0-9][a-z0-9-]{0,31}$ — no "_": game ids are "<type>_<random>"
 *       name: Tic-tac-toe             # required
 *       description: ...              # optional
 *       minPlayers: 2                 # required; 1..1000
 *       maxPlayers: 2                 # required; 1..1000 and >= minPlayers
 *       serverUrl: http://host:5001   # optional; game server control API (http/https)
 *       socketUrl: host:5001/ws       # required when serverUrl is set; host:port[/path] or a ws(s):// URL, handed out as written
 *       serverSecret: ...             # optional; sent as "Authorization: Bearer" on control calls
 *       settings: {JSON Schema}       # optional; must be `type: object`; its defaults are applied
 *       labels: { mode: string }      # optional; label name -> string | number; these are filterable
 *       stateTimeouts: { created: 60 }  # optional; wire state name -> seconds; merged over the defaults
 *       seatReservationSeconds: 30    # optional; default 30
 *       regions: [eu, us]             # optional; [] or absent = any region
 *       hostLeaves, quickJoin         # optional; see catalog-matchmaking.ts
 *       queues                        # optional; ticket matchmaking queues, see catalog-queues.ts
 *
 * Validation reports every problem at once, each with file, YAML path and line.
 */
import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { LineCounter, parseDocument, isMap, isNode, type Document } from "yaml";
import { z } from "zod";
import { badInput } from "../domain/errors.js";
import { jsonDepth, LIMITS } from "../domain/limits.js";
import { GameState, stateFromWireName, WIRE_STATE_NAME } from "../domain/game.js";
import { createCatalog, type Catalog, type GameTypeDef } from "../domain/game-type.js";
import { matchmakingDef, matchmakingKeys } from "./catalog-matchmaking.js";
import { queueFitProblems, queueKeys, queuesDef } from "./catalog-queues.js";
import { ConfigError, type ConfigProblem } from "./errors.js";

/** Original matchmaker's expiries (docs/game-server-contract.md §5), in seconds. */
export const DEFAULT_STATE_TIMEOUTS: Readonly<Record<GameState, number>> = Object.freeze({
  [GameState.CREATED]: 60,
  [GameState.OPEN]: 60,
  [GameState.FULL]: 600,
  [GameState.IN_PROGRESS]: 1200,
  [GameState.ENDED]: 300,
});
export const DEFAULT_SEAT_RESERVATION_SECONDS = 30;
const EMPTY_SETTINGS_SCHEMA = { type: "object", additionalProperties: false, properties: {} };

const urlWith = (protocols: string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be an absolute ${protocols.map((p) => `${p}//`).join(" or ")} URL` },
  );

/**
 * A socket address as the original catalog wrote it — `host[:port][/path]`, no scheme (the
 * game client adds ws:// or wss://) — or a full ws:// or wss:// URL. Kept exactly as written.
 */
const HOST_PORT_PATH = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:\/[^\s]*)?$/;
const socketAddress = z.string().refine(
  (s) => {
    if (HOST_PORT_PATH.test(s)) return true;
    try {
      return ["ws:", "wss:"].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  },
  { error: "must be host:port[/path] (no scheme, as the original catalog wrote it) or an absolute ws:// or wss:// URL" },
);

const count = (min: number, max: number) => z.number().int().min(min).max(max);
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const nameMsg = { error: "may only contain letters, digits, '_', '.' and '-' (at most 64)" };

const gameTypeSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, {
    error: "must be 1-32 lowercase letters, digits or '-', starting with a letter or digit",
  }),
  name: z.string().min(1),
  description: z.string().optional(),
  minPlayers: count(1, 1000),
  maxPlayers: count(1, 1000),
  serverUrl: urlWith(["http:", "https:"]).optional(),
  socketUrl: socketAddress.optional(),
  serverSecret: z.string().min(1).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  labels: z.record(z.string().regex(NAME, nameMsg), z.enum(["string", "number"])).optional(),
  stateTimeouts: z
    .strictObject(Object.fromEntries(Object.values(WIRE_STATE_NAME).map((w) => [w, count(1, 604_800).optional()])))
    .optional(),
  seatReservationSeconds: count(1, 3600).optional(),
  regions: z.array(z.string().regex(NAME, nameMsg)).optional(),
  ...matchmakingKeys,
  ...queueKeys,
});
type GameTypeInput = z.infer<typeof gameTypeSchema>;

const rootSchema = z.strictObject({ gameTypes: z.array(z.unknown()).min(1, { error: "must list at least one game type" }) });

/** Turns zod's generic wording into what an operator editing YAML needs to read. */
const friendly: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case "invalid_type":
      return iss.input === undefined ? "is required" : `must be ${iss.expected === "record" ? "a mapping" : `a ${iss.expected}`}`;
    case "too_small":
      // gt(0) is exclusive: "must be > 0", not the ">= 0" that 0 itself would pass.
      return iss.origin === "number" ? `must be ${iss.inclusive === false ? ">" : ">="} ${iss.minimum}` : iss.origin === "string" ? "must not be empty" : undefined;
    case "too_big":
      return iss.origin === "number" ? `must be ${iss.inclusive === false ? "<" : "<="} ${iss.maximum}` : undefined;
    case "invalid_value":
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_key":
      return `label name ${JSON.stringify(iss.input)} ${iss.issues[0]?.message ?? "is invalid"}`;
    default:
      return undefined;
  }
};

/** `["gameTypes", 1, "maxPlayers"]` → `gameTypes[1].maxPlayers`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), "");
}

/**
 * Reads and validates the catalog at `path`.
 *
 * @throws ConfigError when the file cannot be read, is not valid YAML, or any game
 *   type is invalid; it lists every problem (file, YAML path, line), never a stack trace.
 */
export function loadCatalog(path: string): Catalog {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (err as Error).message;
    throw new ConfigError([{ file: path, path: "", message: `cannot read the game-type catalog: ${reason}` }], "Invalid game-type catalog");
  }
  return parseCatalog(text, path);
}

/**
 * Validates catalog YAML `text`; `file` only labels the problems.
 *
 * @throws ConfigError listing every problem found (see {@link loadCatalog}).
 */
export function parseCatalog(text: string, file: string): Catalog {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const problems: ConfigProblem[] = [];
  const report = (path: readonly PropertyKey[], message: string, key = false) =>
    problems.push({ file, path: formatPath(path), message, line: lineOf(doc, lines, path, key) });
  const fail = () => new ConfigError(problems, "Invalid game-type catalog");

  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const message = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      problems.push({ file, path: "", message: `invalid YAML: ${message}`, line: e.linePos?.[0].line });
    }
    throw fail();
  }
  const data: unknown = doc.toJS();
  if (data == null) {
    report([], "the catalog is empty; expected a `gameTypes:` list");
    throw fail();
  }
  const collect = (issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]) => {
    for (const iss of issues) {
      const at = [...prefix, ...iss.path];
      if (iss.code === "unrecognized_keys") for (const k of iss.keys) report([...at, k], "unknown key (misspelt?)", true);
      else report(at, iss.message);
    }
  };

  const root = rootSchema.safeParse(data, { error: friendly });
  if (!root.success) {
    collect(root.error.issues, []);
    throw fail();
  }
  const defs: GameTypeDef[] = [];
  const seen = new Map<string, number>();
  root.data.gameTypes.forEach((raw, i) => {
    const before = problems.length;
    const parsed = gameTypeSchema.safeParse(raw, { error: friendly });
    if (!parsed.success) collect(parsed.error.issues, ["gameTypes", i]);
    // Cross-field checks still run on the fields that are valid, so one pass shows everything.
    const t = parsed.success ? parsed.data : validFields(raw);
    const given = (k: string) => typeof raw === "object" && raw !== null && (raw as Record<string, unknown>)[k] != null;
    const at = (...p: PropertyKey[]) => ["gameTypes", i, ...p];
    if (t.id !== undefined) {
      const first = seen.get(t.id);
      if (first !== undefined) report(at("id"), `duplicate id "${t.id}" (already used by gameTypes[${first}])`);
      else seen.set(t.id, i);
    }
    if (t.minPlayers !== undefined && t.maxPlayers !== undefined && t.maxPlayers < t.minPlayers) {
      report(at("maxPlayers"), `must be >= minPlayers (${t.minPlayers})`);
    }
    if (given("serverUrl") && !given("socketUrl")) report(at("socketUrl"), "is required when serverUrl is set (players need an address to connect to)");
    if (t.regions && new Set(t.regions).size !== t.regions.length) report(at("regions"), "lists a region more than once");
    if (t.settings) for (const message of checkSettingsSchema(t.settings)) report(at("settings"), message);
    if (t.queues && t.minPlayers !== undefined && t.maxPlayers !== undefined) {
      for (const p of queueFitProblems(t.queues, t.minPlayers, t.maxPlayers)) report(at(...p.path), p.message);
    }
    // Backfill finds open games by their rating label: the type must declare it as a number.
    (t.queues ?? []).forEach((q, i) => {
      const attribute = q.rating?.attribute ?? "mmr";
      if (q.backfill && t.labels?.[attribute] !== "number") {
        report(at("queues", i, "backfill"), `needs the game type to declare the label "${attribute}" (the queue's rating attribute) as a number: open games are found by it`);
      }
      // That label is the creator's to set: it would let a player pick the rating of who joins them.
      if (q.backfill && q.rating?.source === "token") {
        report(at("queues", i, "backfill"), `cannot go with rating.source: token: open games are found by their "${attribute}" label, which the game's creator sets, so a player could draw in tickets of any rating`);
      }
    });
    if (parsed.success && problems.length === before) defs.push(toDef(parsed.data));
  });
  if (problems.length > 0) throw fail();
  return createCatalog(defs);
}

/** The fields of an invalid entry that are valid on their own. */
function validFields(raw: unknown): Partial<GameTypeInput> {
  if (typeof raw !== "object" || raw === null) return {};
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(gameTypeSchema.shape)) {
    const r = (field as z.ZodType).safeParse((raw as Record<string, unknown>)[key]);
    if (r.success && r.data !== undefined) out[key] = r.data;
  }
  return out as Partial<GameTypeInput>;
}

function toDef(t: GameTypeInput): GameTypeDef {
  const stateTimeouts = { ...DEFAULT_STATE_TIMEOUTS };
  for (const [wire, seconds] of Object.entries(t.stateTimeouts ?? {})) {
    if (seconds !== undefined) stateTimeouts[stateFromWireName(wire)!] = seconds;
  }
  return {
    id: t.id,
    name: t.name,
    description: t.description ?? null,
    minPlayers: t.minPlayers,
    maxPlayers: t.maxPlayers,
    serverUrl: t.serverUrl?.replace(/\/+$/, "") ?? null, // control paths are appended as "/create_game"
    socketUrl: t.socketUrl ?? null,
    serverSecret: t.serverSecret ?? null,
    settingsSchema: t.settings ?? structuredClone(EMPTY_SETTINGS_SCHEMA),
    labels: t.labels ?? {},
    stateTimeouts,
    seatReservationSeconds: t.seatReservationSeconds ?? DEFAULT_SEAT_RESERVATION_SECONDS,
    regions: t.regions ?? [],
    ...matchmakingDef(t),
    queues: queuesDef(t),
  };
}

/** Problems with a settings schema: not an object schema, does not compile, or its own defaults violate it. */
function checkSettingsSchema(schema: Record<string, unknown>): string[] {
  if (schema.type !== "object") return ['must be a JSON Schema with `type: object` (settings are a mapping)'];
  let validate: ValidateFunction;
  try {
    validate = compile(schema);
  } catch (err) {
    return [`is not a valid JSON Schema: ${(err as Error).message}`];
  }
  const withDefaults: Record<string, unknown> = {};
  if (validate(withDefaults)) return [];
  // Required settings without a default are legitimate: players must supply them.
  return settingsProblems(validate.errors ?? [])
    .filter((p) => !p.required)
    .map((p) => `defaults do not satisfy the schema: ${p.message}`);
}

// One Ajv per schema: game types may reuse `$id`s, which a shared instance would reject.
// strictSchema stays on so a misspelt keyword (`maximun`) is an error rather than silently ignored.
function compile(schema: Record<string, unknown>): ValidateFunction {
  const ajv = new Ajv2020({ useDefaults: true, allErrors: true, strictTypes: false, strictTuples: false, strictRequired: false });
  return ajv.compile(schema);
}

function settingsProblems(errors: readonly ErrorObject[]): { message: string; required: boolean }[] {
  return errors.map((e) => {
    const base = "settings" + e.instancePath.split("/").slice(1).map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join("");
    switch (e.keyword) {
      case "required":
        return { message: `${base}.${e.params.missingProperty} is required`, required: true };
      case "additionalProperties":
        return { message: `${base} has unknown property "${e.params.additionalProperty}"`, required: false };
      case "enum":
        return { message: `${base} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`, required: false };
      default:
        return { message: `${base} ${e.message ?? "is invalid"}`, required: false };
    }
  });
}

const validators = new WeakMap<object, ValidateFunction>();

/**
 * Returns a validator for a game type's `settings`: it returns a new object with the
 * schema's defaults applied (null/undefined input counts as `{}`) and never mutates its input.
 * The schema is compiled once per game type.
 *
 * @throws MatchmakerError BAD_USER_INPUT (from the returned function) naming every
 *   problem, e.g. `settings.timePerMoveSeconds must be <= 300`.
 */
export function createSettingsValidator(type: GameTypeDef): (input: unknown) => Record<string, unknown> {
  let validate = validators.get(type.settingsSchema);
  if (!validate) {
    validate = compile(type.settingsSchema);
    validators.set(type.settingsSchema, validate);
  }
  const v = validate;
  return (input) => {
    // Bounded before anything walks it (structuredClone and Ajv recurse).
    if (jsonDepth(input, LIMITS.jsonDepth) > LIMITS.jsonDepth) {
      throw badInput(`settings may nest at most ${LIMITS.jsonDepth} levels deep.`, { gameType: type.id });
    }
    if (input != null && JSON.stringify(input).length > LIMITS.settingsBytes) {
      throw badInput(`settings may be at most ${LIMITS.settingsBytes} bytes of JSON.`, { gameType: type.id });
    }
    const settings: unknown = input == null ? {} : structuredClone(input);
    if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
      throw badInput(`settings for game type "${type.id}" must be an object`, { gameType: type.id });
    }
    if (!v(settings)) {
      const problems = settingsProblems(v.errors ?? []).map((p) => p.message);
      throw badInput(`Invalid settings for game type "${type.id}": ${problems.join("; ")}`, { gameType: type.id, problems });
    }
    return settings as Record<string, unknown>;
  };
}

/** 1-based line of the node at `path` (or of its key), for pointing an operator at the spot. */
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[], key: boolean): number | undefined {
  const parentPath = key ? path.slice(0, -1) : path;
  let node: unknown = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath as unknown[], true);
  if (key && isMap(node)) node = node.items.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === path.at(-1))?.key;
  // Missing entries have no node: fall back to the closest ancestor that exists.
  if (!isNode(node) && path.length > 0) return lineOf(doc, lines, path.slice(0, -1), false);
  const offset = isNode(node) ? node.range?.[0] : undefined;
  return offset === undefined ? undefined : lines.linePos(offset).line;
}
