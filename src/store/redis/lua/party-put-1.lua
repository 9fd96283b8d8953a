--[[
  Writes a party if it is still at the version it was read at (compare and set): the
  service computes every party change (join, leave, hand-over) from what it read, and
  retries when someone else changed the party first.
  Input:
    KEYS[1] party hash
    ARGV[1] version it was read at ("" = it must not exist yet)   ARGV[2..] field, value pairs
  Output: {0} written | {CODE.PARTY_CHANGED, version or ""}
]]
local current = redis.call("HGET", KEYS[1], "version")
if ARGV[1] == "" then
  if current then return { CODE.PARTY_CHANGED, current } end
elseif current ~= ARGV[1] then
  return { CODE.PARTY_CHANGED, current or "" }
end
redis.call("DEL", KEYS[1])
redis.call("HSET", KEYS[1], unpack(ARGV, 2))
redis.call("PEXPIRE", KEYS[1], PARTY_IDLE_MS)
return { CODE.OK }
