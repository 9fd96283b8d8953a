--[[
  Backfills a searching ticket: seats its players in an open public game of its type, with the
  checks a join makes, and marks the ticket MATCHED to that game — one step, so the ticket ends
  once and its players are seated exactly when it does.
  Input:
    KEYS[1] the game's hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    KEYS[9..14] the queue's keys (queueKeysAt), KEYS[15] its activity bucket, KEYS[16] the ticket's hash
    ARGV[1] now   ARGV[2] state timeouts JSON   ARGV[3] the ticket's version
    ARGV[4] party JSON: [[player id, player JSON, reservation], …]   ARGV[5] joinable table JSON
    ARGV[6] seatsFilled table JSON   ARGV[7] match JSON
  Output: {0, the game packed, previous state, ticket hash} | {CODE.VERSION_CONFLICT} (the ticket no
          longer searches at that version) | {CODE.NOT_FOUND} | {CODE.NOT_JOINABLE, state} (also a
          private game) | {CODE.ALREADY_JOINED} | {CODE.FULL}; nothing written but on success.
  TypeScript twin: backfillTicket in memory/tickets.ts (seatInGame in memory-store.ts).
]]
-- @include game
-- @include seat
-- @include ticket
local q = queueKeysAt(9)
q.activity = KEYS[15]
local key = KEYS[16]
local id = string.match(key, "[^:]+$")
local t = redis.call("HMGET", key, "s", "v", "p")
if not (t[1] == SEARCHING and t[2] == ARGV[3] and redis.call("ZSCORE", q.searching, id) and pcall(cjson.decode, t[3])) then
  return { CODE.VERSION_CONFLICT }
end
local g = readGame()
if not g then return { CODE.NOT_FOUND } end
if g.visibility ~= PUBLIC then return { CODE.NOT_JOINABLE, g.state } end
local party = cjson.decode(ARGV[4])
local refusal = partyRefusal(g, party, ARGV[5])
if refusal then return refusal end
local previous = seatParty(g, party, ARGV[6], ARGV[1], ARGV[2])
local ends = newEnds(q)
endTicket(key, id, ARGV[1], ends, MATCHED, "m", ARGV[7])
finishEnds(ends)
return { CODE.OK, flatten(g), previous, redis.call("HGETALL", key) }
