--[[
  Fenced read: new entries of the group for the lease holder only, so a worker that lost
  its lease (paused, partitioned) can never take entries past the new holder's.
  Non-blocking (scripts cannot block); the caller waits with XREAD on the id returned.
  Input:
    KEYS[1] lease key   KEYS[2] stream
    ARGV[1] the lease value "<token> <consumer>"   ARGV[2] group   ARGV[3] consumer   ARGV[4] count
  Output: {LOST} | {1, entries} | {0, the group's last delivered id (wait for entries after it)}
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return { LOST } end
local reply = redis.call("XREADGROUP", "GROUP", ARGV[2], ARGV[3], "COUNT", ARGV[4], "STREAMS", KEYS[2], ">")
if reply and reply[1] and #reply[1][2] > 0 then return { 1, reply[1][2] } end
for _, info in ipairs(redis.call("XINFO", "GROUPS", KEYS[2])) do
  local f = {}
  for i = 1, #info, 2 do f[info[i]] = info[i + 1] end
  if f["name"] == ARGV[2] then return { 0, f["last-delivered-id"] } end
end
return { 0, "0-0" }
