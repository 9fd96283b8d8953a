--[[
  Frees a player's seat and applies the seatFreed table. The creator leaving deletes the
  game and every index entry of it — unless the type migrates hosts and someone remains:
  then the longest-seated remaining confirmed player (first in seating order) becomes creator.
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    ARGV[1] player id   ARGV[2] seatFreed HostTables JSON   ARGV[3] now (epoch ms)
    ARGV[4] state timeouts JSON (state -> ms)   ARGV[5] "1" when the host migrates, else "0"
  Output: {0, hash, previous state} (after the change; for a deleted game: the last state, version + 1)
          | {CODE.NOT_FOUND} | {CODE.NOT_A_PLAYER}
]]
-- @include game
local g = readGame()
if not g then return { CODE.NOT_FOUND } end
local playerId = ARGV[1]
if not g["p:" .. playerId] then return { CODE.NOT_A_PLAYER } end
if playerId == g.creatorId then
  local heir = nil
  -- Only a confirmed player can hold the game: an unconfirmed heir may never show up,
  -- and the creator's seat is exempt from reservation expiry.
  for _, id in ipairs(cjson.decode(g.pids)) do
    if id ~= playerId and not g["r:" .. id] then
      heir = id
      break
    end
  end
  -- No hand-over while the host has not reached the game server: the server's host is the
  -- one leaving, and nobody else could connect (hostLeaves: migrate then closes instead).
  if ARGV[5] ~= "1" or not heir or g.waitIx then
    removeGame(g)
    return deletedReply(g, ARGV[3])
  end
  redis.call("HSET", gameKey, "creatorId", heir)
  g.creatorId = heir
end

local previous = g.state
removePlayers(g, { playerId }, ARGV[2])
-- The version goes in touchLoaded's HSET.
local bumped = {}
bump(g, ARGV[3], bumped)
touchLoaded(g, ARGV[3], ARGV[4], nil, bumped)
return loadedReply(g, previous)
