--[[
  Fenced takeover: claims pending entries of every consumer of the group for the lease
  holder, oldest first from `cursor`, with their delivery counts (XAUTOCLAIM counts this
  claim as a delivery). The new holder drains these before it reads anything new, so a
  game's entries are applied in stream order across a takeover.
  Input:
    KEYS[1] lease key   KEYS[2] stream
    ARGV[1] the lease value   ARGV[2] group   ARGV[3] consumer   ARGV[4] cursor ("0-0" = start)   ARGV[5] count
  Output: {LOST} | {next cursor ("0-0" = done), entries, delivery counts (same order), ids of deleted entries}
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return { LOST } end
local reply = redis.call("XAUTOCLAIM", KEYS[2], ARGV[2], ARGV[3], 0, ARGV[4], "COUNT", ARGV[5])
local entries, gone = {}, reply[3] or {}
for _, e in ipairs(reply[2]) do
  -- Redis 6.2 reports an entry trimmed away while pending as a bare nil (no id to ack: it is
  -- skipped), Redis 7 lists it in the reply's third element.
  if type(e) == "table" and e[2] then entries[#entries + 1] = e end
end
local counts = {}
if #entries > 0 then
  local byId = {}
  local pending = redis.call("XPENDING", KEYS[2], ARGV[2], entries[1][1], entries[#entries][1], #entries, ARGV[3])
  for _, p in ipairs(pending) do byId[p[1]] = p[4] end
  for i, e in ipairs(entries) do counts[i] = byId[e[1]] or 1 end
end
return { reply[1], entries, counts, gone }
