--[[
  Fenced clean-up: removes every consumer of the group, other than the holder, that has
  nothing pending (crashed or stopped workers whose entries were taken over), so dead
  consumers do not pile up. One with entries still pending is left for a later round.
  Input:
    KEYS[1] lease key   KEYS[2] stream
    ARGV[1] the lease value   ARGV[2] group   ARGV[3] the holder's consumer name
  Output: {LOST} | {1, names removed}
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return { LOST } end
local removed = {}
for _, info in ipairs(redis.call("XINFO", "CONSUMERS", KEYS[2], ARGV[2])) do
  local f = {}
  for i = 1, #info, 2 do f[info[i]] = info[i + 1] end
  if f["name"] ~= ARGV[3] and tonumber(f["pending"]) == 0 then
    redis.call("XGROUP", "DELCONSUMER", KEYS[2], ARGV[2], f["name"])
    removed[#removed + 1] = f["name"]
  end
end
return { 1, removed }
