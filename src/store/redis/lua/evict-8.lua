--[[
  Frees the seats of several players in one change (a party the game server would not
  take); players not seated, and the creator, are left alone.
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    ARGV[1] player ids JSON   ARGV[2] seatFreed HostTables JSON   ARGV[3] now (epoch ms)
    ARGV[4] state timeouts JSON (state -> ms)
  Output: {0, hash, previous state} | {CODE.NONE_SEATED} (nothing written) | {CODE.NOT_FOUND}
]]
-- @include game
local g = readGame()
if not g then return { CODE.NOT_FOUND } end
local gone = {}
for _, id in ipairs(cjson.decode(ARGV[1])) do
  if id ~= g.creatorId and g["p:" .. id] then gone[#gone + 1] = id end
end
if #gone == 0 then return { CODE.NONE_SEATED } end
local previous = g.state
removePlayers(g, gone, ARGV[2])
-- The version goes in touchLoaded's HSET.
local bumped = {}
bump(g, ARGV[3], bumped)
touchLoaded(g, ARGV[3], ARGV[4], nil, bumped)
return loadedReply(g, previous)
