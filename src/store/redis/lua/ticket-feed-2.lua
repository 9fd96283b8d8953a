--[[
  Reads a queue's feed after a cursor (read-only).
  Input: KEYS[1] the feed, KEYS[2] its floor   ARGV[1] cursor entry id ("" = none)   ARGV[2] most entries
  Output: {"reload", cursor} (no cursor, or one below the floor — the newest entry dropped — so
          entries after it may be gone; the cursor to go on from once the pool is reloaded)
          | {"changes", {{id, fields}, …}}
]]
-- @include entry-ids
local floor = redis.call("GET", KEYS[2]) or "0-0"
local cursor = ARGV[1]
if cursor == "" or not string.match(cursor, "^%d+%-%d+$") or entryAfter(floor, cursor) then
  local last = redis.call("XREVRANGE", KEYS[1], "+", "-", "COUNT", 1)[1]
  local at = floor
  if last and entryAfter(last[1], floor) then at = last[1] end
  return { "reload", at }
end
return { "changes", redis.call("XRANGE", KEYS[1], "(" .. cursor, "+", "COUNT", ARGV[2]) }
