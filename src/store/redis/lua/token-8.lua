--[[
  Stores the game-server token of a game that was stored before its game server created
  it (quickJoin on a hosted type), as a visible change.
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    ARGV[1] token   ARGV[2] now (epoch ms)   ARGV[3] state timeouts JSON (state -> ms)
  Output: {0, hash, previous state} | {CODE.NOT_FOUND}
]]
-- @include game
local g = readGame()
if not g then return { CODE.NOT_FOUND } end
redis.call("HSET", gameKey, "serverToken", ARGV[1])
g.serverToken = ARGV[1]
-- The version goes in touchLoaded's HSET.
local bumped = {}
bump(g, ARGV[2], bumped)
touchLoaded(g, ARGV[2], ARGV[3], nil, bumped)
return loadedReply(g, g.state)
