--[[
  The cap on live games per player (after `game`): a set per creator and type holds the ids
  of the games they created; games since ended, deleted or handed to another creator are
  dropped from it as it is counted, so it never holds more than the cap.
]]

-- How many of the games in `setKey` are live and still created by `creatorId`.
local function liveCreated(setKey, gamePrefix, creatorId)
  local live = 0
  for _, id in ipairs(redis.call("SMEMBERS", setKey)) do
    local f = redis.call("HMGET", gamePrefix .. id, "state", "creatorId")
    if f[1] and f[1] ~= ENDED and f[2] == creatorId then
      live = live + 1
    else
      redis.call("SREM", setKey, id)
    end
  end
  return live
end

-- The refusal when `creatorId` may not create another game (cap "0" = no cap), else nil.
local function creatorCapRefusal(setKey, gamePrefix, creatorId, cap)
  local max = tonumber(cap)
  if max == 0 then return nil end
  local live = liveCreated(setKey, gamePrefix, creatorId)
  if live >= max then return { CODE.TOO_MANY_GAMES, tostring(max) } end
  return nil
end

-- Counts game `id` as created by the set's player.
local function trackCreated(setKey, id)
  redis.call("SADD", setKey, id)
  redis.call("PEXPIRE", setKey, CREATED_TRACKED_MS)
end
