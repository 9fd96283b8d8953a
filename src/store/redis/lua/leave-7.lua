--[[
  Frees a player's seat and applies the seatFreed table; the creator leaving deletes
  the game and every index entry of it.
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes
    ARGV[1] player id   ARGV[2] seatFreed table JSON   ARGV[3] now (epoch ms)
  Output: {0, hash, previous state} (after the change; for the creator: the last state, version + 1)
          | {CODE.NOT_FOUND} | {CODE.NOT_A_PLAYER}
]]
-- @include game
local g = readGame()
if not g then return { CODE.NOT_FOUND } end
local playerId = ARGV[1]
if not g["p:" .. playerId] then return { CODE.NOT_A_PLAYER } end
if playerId == g.creatorId then
  removeGame(g)
  return deletedReply(g, ARGV[3])
end

local pids = {}
for _, id in ipairs(cjson.decode(g.pids)) do
  if id ~= playerId then pids[#pids + 1] = id end
end
local state = cjson.decode(ARGV[2])[g.state] or g.state
redis.call("HDEL", gameKey, "p:" .. playerId)
redis.call("HSET", gameKey, "pids", encodeList(pids), "state", state,
  "version", bumpedVersion(g), "updatedAt", ARGV[3])
redis.call("ZADD", freeKey, tonumber(g.capacity) - #pids, g.id)
moveState(g, state)
return okReply(g.state)
