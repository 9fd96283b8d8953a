--[[
  Takes the stream's lease when nobody holds it: a new fencing token (INCR, so every
  holder ever had a larger one than the one before) and the value "<token> <consumer>",
  expiring after the lease time. A lease someone holds is left alone — even one held
  under the same consumer name, which may be an earlier process of that name still running.
  Input:
    KEYS[1] lease key   KEYS[2] fencing-token counter (same slot as the stream)
    ARGV[1] consumer name   ARGV[2] lease time in ms
  Output: {token, consumer} when taken | {0, holder value} when held by another
]]
local held = redis.call("GET", KEYS[1])
if held then return { 0, held } end
local token = redis.call("INCR", KEYS[2])
redis.call("SET", KEYS[1], token .. " " .. ARGV[1], "PX", ARGV[2])
return { token, ARGV[1] }
