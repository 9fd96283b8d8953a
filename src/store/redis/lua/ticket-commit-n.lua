--[[
  Commits one proposed match: when every ticket is still SEARCHING at the version the
  matcher proposed, stores the new game with all their players seated and marks every
  ticket MATCHED to it — one step, so a ticket is never in two games and a cancel either
  came first (the commit is stale) or finds the ticket MATCHED.
  Input:
    KEYS[1] new game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    KEYS[9..14] the queue's keys (queueKeysAt), KEYS[15] its activity bucket
    KEYS[16..15+n] the tickets' hashes, KEYS[16+n..] static indexes of the new game
    ARGV[1] now   ARGV[2] state timeouts JSON   ARGV[3] match JSON
    ARGV[4] n   ARGV[5..4+n] the tickets' proposed versions
    ARGV[5+n] the game's createdAt   ARGV[6+n] its free seats
    ARGV[7+n ..] score per static index ("" = createdAt), then the game's field/value pairs
  Output: {0, the game packed, {ticket hash, …}} | {CODE.VERSION_CONFLICT, stale ticket id, …} | {CODE.ID_TAKEN}
  TypeScript twin: commitMatch in memory/tickets.ts.
]]
-- @include game
-- @include seat
-- @include ticket
local n = tonumber(ARGV[4])
local q = queueKeysAt(9)
q.activity = KEYS[15]
local stale = { CODE.VERSION_CONFLICT }
local reads = {}
for i = 1, n do
  local key = KEYS[15 + i]
  local id = string.match(key, "[^:]+$")
  local t = redis.call("HMGET", key, "s", "v", "p", "u", "j")
  -- Searching, at the version proposed, in this queue — and its players readable, so that
  -- nothing below can fail half-way through.
  local fine, players = false, nil
  if t[1] == SEARCHING and t[2] == ARGV[4 + i] and redis.call("ZSCORE", q.searching, id) then fine, players = pcall(cjson.decode, t[3]) end
  if fine then
    reads[i] = { v = t[2], u = t[4], players = players, fixed = t[5] }
  else
    stale[#stale + 1] = id
  end
end
if #stale > 1 then return stale end
if redis.call("EXISTS", gameKey) == 1 then return { CODE.ID_TAKEN } end
local firstStatic = 16 + n
local g = insertGame(ARGV[5 + n], ARGV[6 + n], firstStatic, 7 + n, 7 + n + (#KEYS - firstStatic + 1), ARGV[2])
-- Each ticket as its hash now reads (what decodeTicket takes), from what was read and written.
local tickets = {}
local ends = newEnds(q)
for i = 1, n do
  local key = KEYS[15 + i]
  local v = endTicket(key, string.match(key, "[^:]+$"), ARGV[1], ends, MATCHED, "m", ARGV[3], reads[i])
  tickets[i] = { "j", reads[i].fixed, "s", MATCHED, "v", v, "u", ARGV[1], "m", ARGV[3] }
end
finishEnds(ends)
return { CODE.OK, flatten(g), tickets }
