--[[
  Deletes a party (its last member left) if it is still at the version it was read at.
  Input: KEYS[1] party hash   ARGV[1] version it was read at
  Output: {0} deleted | {CODE.PARTY_CHANGED, version or ""}
]]
local current = redis.call("HGET", KEYS[1], "version")
if current ~= ARGV[1] then return { CODE.PARTY_CHANGED, current or "" } end
redis.call("DEL", KEYS[1])
return { CODE.OK }
