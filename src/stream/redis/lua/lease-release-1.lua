--[[
  Gives the lease up, if it is still the caller's, so a standby takes over at once.
  Input: KEYS[1] lease key   ARGV[1] the lease value "<token> <consumer>"
  Output: 1 released | 0 not ours
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
redis.call("DEL", KEYS[1])
return 1
