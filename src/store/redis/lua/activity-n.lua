--[[
  Records activity (gameplay, heartbeat) for many games of one type at once: for each
  existing game, lastActivityAt = now, expiresAt = now + its state's timeout, and the
  deadline index gets the earliest of that and its unconfirmed seats' reservations
  (the creator's seat never counts, nor any while the game waits for its host). No
  version bump: nothing visible changed.
  Input:
    KEYS[1] deadline index, KEYS[2..] game hashes
    ARGV[1] now (epoch ms)   ARGV[2] state timeouts JSON (state -> ms)
  Output: one flag per game: 1 recorded, 0 no such game (the caller tells a deleted one by its
          tombstone: rare, and two keys per game would double what every call sends)
  TypeScript twin: recordActivity in memory-store.ts.
]]
local now = tonumber(ARGV[1])
local timeouts = cjson.decode(ARGV[2])
local out = {}
for i = 2, #KEYS do
  local key = KEYS[i]
  local f = redis.call("HMGET", key, "id", "state", "pids", "creatorId", "waitIx")
  if not f[1] then
    out[#out + 1] = 0
  else
    local timeout = timeouts[f[2]]
    local deadline = nil
    if timeout then
      deadline = now + timeout
      redis.call("HSET", key, "lastActivityAt", ARGV[1], "expiresAt", string.format("%.0f", deadline))
    else
      redis.call("HSET", key, "lastActivityAt", ARGV[1])
      redis.call("HDEL", key, "expiresAt")
    end
    if not f[5] then
      for _, id in ipairs(cjson.decode(f[3])) do
        if id ~= f[4] then
          local reserved = tonumber(redis.call("HGET", key, "r:" .. id))
          if reserved and (not deadline or reserved < deadline) then deadline = reserved end
        end
      end
    end
    if deadline then
      redis.call("ZADD", KEYS[1], deadline, f[1])
    else
      redis.call("ZREM", KEYS[1], f[1])
    end
    out[#out + 1] = 1
  end
end
return out
