--[[
  Frees a player's seat and applies the seatFreed table; the creator leaving deletes
  the game and every index entry of it.
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    ARGV[1] player id   ARGV[2] seatFreed table JSON   ARGV[3] now (epoch ms)
    ARGV[4] state timeouts JSON (state -> ms)
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

removePlayers(g, { playerId }, ARGV[2])
bump(g, ARGV[3])
touchGame(ARGV[3], ARGV[4])
return okReply(g.state)
