--[[
  Fenced takeover of the entries pending on consumers other than the holder (what a worker
  that lost the lease still read), at most `count`, with their delivery counts after this
  claim. The holder merges them with its batch in stream order.
  Input:
    KEYS[1] lease key   KEYS[2] stream
    ARGV[1] the lease value   ARGV[2] group   ARGV[3] the holder's consumer name   ARGV[4] count
  Output: {LOST} | {entries, delivery counts (same order), ids of deleted entries}
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return { LOST } end
local want = tonumber(ARGV[4])
local ids, deliveries = {}, {}
local summary = redis.call("XPENDING", KEYS[2], ARGV[2])
if type(summary[4]) == "table" then
  for _, c in ipairs(summary[4]) do
    if c[1] ~= ARGV[3] and #ids < want then
      for _, p in ipairs(redis.call("XPENDING", KEYS[2], ARGV[2], "-", "+", want - #ids, c[1])) do
        ids[#ids + 1] = p[1]
        deliveries[p[1]] = p[4] + 1
      end
    end
  end
end
local entries, counts, gone = {}, {}, {}
if #ids > 0 then
  for _, e in ipairs(redis.call("XCLAIM", KEYS[2], ARGV[2], ARGV[3], 0, unpack(ids))) do
    if e[2] then
      entries[#entries + 1] = e
      counts[#counts + 1] = deliveries[e[1]]
    end
  end
  -- XCLAIM leaves out entries deleted from the stream (Redis 7 also drops them from the PEL).
  local seen = {}
  for _, e in ipairs(entries) do seen[e[1]] = true end
  for _, id in ipairs(ids) do if not seen[id] then gone[#gone + 1] = id end end
end
return { entries, counts, gone }
