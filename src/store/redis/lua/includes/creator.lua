--[[
  The cap on live games per player (after `game`): a set per creator and type holds the ids
  of the games they created. A game counts for the player who created it until it ends or is
  deleted — also once it was handed to another player, so handing games over frees no slot.
  Ended and deleted games are dropped from the set as it is counted, so it never holds more
  than the cap; it expires CREATED_TRACKED_MS after it was last counted with live games in it.
  Reads the game hashes of the set's ids: keys of the same type, so on the same cluster slot.
]]

-- How many of the games in `setKey` are live; renews the set's expiry while any is.
local function liveCreated(setKey, gamePrefix)
  local live = 0
  for _, id in ipairs(redis.call("SMEMBERS", setKey)) do
    local state = redis.call("HGET", gamePrefix .. id, "state")
    if state and state ~= ENDED then
      live = live + 1
    else
      redis.call("SREM", setKey, id)
    end
  end
  if live > 0 then redis.call("PEXPIRE", setKey, CREATED_TRACKED_MS) end
  return live
end

-- The refusal when the set's player may not create another game (cap "0" = no cap), else nil.
local function creatorCapRefusal(setKey, gamePrefix, cap)
  local max = tonumber(cap)
  if max == 0 then return nil end
  if liveCreated(setKey, gamePrefix) >= max then return { CODE.TOO_MANY_GAMES, tostring(max) } end
  return nil
end

-- Counts game `id` as created by the set's player.
local function trackCreated(setKey, id)
  redis.call("SADD", setKey, id)
  redis.call("PEXPIRE", setKey, CREATED_TRACKED_MS)
end
