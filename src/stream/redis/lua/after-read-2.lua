--[[
  Run right after the holder's XREADGROUP (a plain one: no script conversion of the entries
  on the hot path): confirms the caller still holds the lease and counts entries pending on
  other consumers. Those can only be entries a worker that lost the lease read anyway
  (paused, partitioned); the caller takes them over and applies them merged in stream order
  with its own batch, so no game's entries are reordered — see claim-others-2.lua. It also
  answers where to wait from when the read came back empty: the group's last delivered id.
  Sent right behind the read on the same connection (no round trip between them).
  Input:
    KEYS[1] lease key   KEYS[2] stream
    ARGV[1] the lease value "<token> <consumer>"   ARGV[2] group   ARGV[3] consumer
  Output: {LOST} | {1, entries pending on other consumers, last delivered id}
]]
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return { LOST } end
local summary = redis.call("XPENDING", KEYS[2], ARGV[2])
local others = 0
if type(summary[4]) == "table" then
  for _, c in ipairs(summary[4]) do
    if c[1] ~= ARGV[3] then others = others + tonumber(c[2]) end
  end
end
local last = ""
for _, info in ipairs(redis.call("XINFO", "GROUPS", KEYS[2])) do
  local f = {}
  for i = 1, #info, 2 do f[info[i]] = info[i + 1] end
  if f["name"] == ARGV[2] then last = f["last-delivered-id"] end
end
return { 1, others, last }
