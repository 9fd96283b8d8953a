--[[
  Commits proposed matches of one queue, each on its own: a match whose tickets are all still
  SEARCHING at the versions the matcher proposed stores its new game with all their players
  seated and marks every ticket MATCHED to it — one step, so a ticket is never in two games
  and a cancel either came first (that match is stale) or finds the ticket MATCHED. A stale
  match writes nothing and does not stop the others. Many matches in one call share what a
  call costs (the script's start, the queue's writes, one ZADD per index): a tick's matches
  are committed a batch at a time.
  Input:
    KEYS[1] any game hash of the type (each match names its own), KEYS[2] free-seats index,
    KEYS[3..7] state indexes, KEYS[8] deadline index
    KEYS[9..14] the queue's keys (queueKeysAt), KEYS[15] its activity bucket
    then per match: its game's hash, its n tickets' hashes, its game's s static indexes
    ARGV[1] now   ARGV[2] state timeouts JSON   ARGV[3] number of matches
    then per match: match JSON, n, the tickets' proposed versions (n), the game's createdAt,
    its free seats, s, a score per static index ("" = createdAt), f, the game's f field/value entries
  Output, one per match in order: {0, the game packed, {ticket hash, …}}
    | {CODE.VERSION_CONFLICT, stale ticket id, …} | {CODE.ID_TAKEN}
  TypeScript twin: commitMatches in memory/tickets.ts.
]]
-- @include game
-- @include seat
-- @include ticket
local now, timeouts = ARGV[1], ARGV[2]
local q = queueKeysAt(9)
q.activity = KEYS[15]
local ends = newEnds(q)
local index = newIndexBatch()

-- The tickets' fields a commit needs, or the ids of those no longer searching at their proposed version.
local function readTickets(firstKey, n, firstVersion)
  local stale = { CODE.VERSION_CONFLICT }
  local reads = {}
  for i = 1, n do
    local key = KEYS[firstKey + i - 1]
    local id = string.match(key, "[^:]+$")
    local t = redis.call("HMGET", key, "s", "v", "p", "u", "j")
    -- Searching, at the version proposed, in this queue — and its players readable, so that
    -- nothing below can fail half-way through.
    local fine, players = false, nil
    if t[1] == SEARCHING and t[2] == ARGV[firstVersion + i - 1] and redis.call("ZSCORE", q.searching, id) then fine, players = pcall(cjson.decode, t[3]) end
    if fine then
      reads[i] = { key = key, id = id, v = t[2], u = t[4], players = players, fixed = t[5] }
    else
      stale[#stale + 1] = id
    end
  end
  if #stale > 1 then return nil, stale end
  return reads
end

local out = {}
local k, a = 16, 4
for m = 1, tonumber(ARGV[3]) do
  local matchJson, n = ARGV[a], tonumber(ARGV[a + 1])
  local versionsAt = a + 2
  local createdAt, free, s = ARGV[versionsAt + n], ARGV[versionsAt + n + 1], tonumber(ARGV[versionsAt + n + 2])
  local scoresAt = versionsAt + n + 3
  local f = tonumber(ARGV[scoresAt + s])
  local fieldsAt = scoresAt + s + 1
  local gameHash, firstStatic = KEYS[k], k + 1 + n
  local reads, stale = readTickets(k + 1, n, versionsAt)
  k, a = firstStatic + s, fieldsAt + f
  if not reads then
    out[m] = stale
  elseif redis.call("EXISTS", gameHash) == 1 then
    out[m] = { CODE.ID_TAKEN }
  else
    gameKey = gameHash
    local g = insertGame(createdAt, free, firstStatic, scoresAt, fieldsAt, timeouts, { lastStatic = firstStatic + s - 1, lastField = fieldsAt + f - 1, index = index })
    -- Each ticket as its hash now reads (what decodeTicket takes), from what was read and written.
    local tickets = {}
    for i, r in ipairs(reads) do
      local v = endTicket(r.key, r.id, now, ends, MATCHED, "m", matchJson, r)
      tickets[i] = { "j", r.fixed, "s", MATCHED, "v", v, "u", now, "m", matchJson }
    end
    out[m] = { CODE.OK, flatten(g), tickets }
  end
end
flushIndexes(index)
finishEnds(ends)
return out
