--[[
  Re-checks a game's deadlines at `now`: frees every unconfirmed non-creator seat whose
  reservation has passed (seatFreed table applied, activity recorded), or else deletes
  the game when its state timeout has passed. Running it twice at once frees or
  deletes once: the second run finds nothing due.
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    ARGV[1] now (epoch ms)   ARGV[2] state timeouts JSON (state -> ms)   ARGV[3] seatFreed HostTables JSON
  Output: {0, hash, previous state, freed player ids} (seats freed)
          | {0, last state of the hash with version + 1, its state} (deleted)
          | {CODE.NOT_DUE} (nothing due, or no such game)
]]
-- @include game
local now = ARGV[1]
local g = readGame()
if not g then return { CODE.NOT_DUE } end
local t = tonumber(now)

local freed = {}
-- While the host is away nobody else can connect, so no reservation runs out (deadlineOf).
if not g.waitIx then
  for _, id in ipairs(cjson.decode(g.pids)) do
    local reserved = tonumber(g["r:" .. id])
    if reserved and reserved <= t and id ~= g.creatorId then freed[#freed + 1] = id end
  end
end
if #freed > 0 then
  local previous = g.state
  removePlayers(g, freed, ARGV[3])
  -- The version goes in touchLoaded's HSET.
  local bumped = {}
  bump(g, now, bumped)
  touchLoaded(g, now, ARGV[2], nil, bumped)
  local reply = loadedReply(g, previous)
  reply[4] = freed
  return reply
end

if g.expiresAt and tonumber(g.expiresAt) <= t then
  removeGame(g)
  return deletedReply(g, now)
end
return { CODE.NOT_DUE }
