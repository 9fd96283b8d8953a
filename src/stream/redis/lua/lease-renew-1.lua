--[[
  Extends the lease, if it is still the caller's.
  Input: KEYS[1] lease key   ARGV[1] the lease value "<token> <consumer>"   ARGV[2] lease time in ms
  Output: 1 renewed | 0 not ours any more (expired, and maybe taken)
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
redis.call("PEXPIRE", KEYS[1], ARGV[2])
return 1
