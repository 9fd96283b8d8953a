--[[
  One page of a queue's searching tickets in enqueue order (read-only), for a matcher that
  reloads its pool: the ticket after the cursor's is found by its rank, so a page costs
  O(log N + page) however many tickets share one enqueue millisecond.
  Input:
    KEYS[1] the queue's searching set
    ARGV[1] cursor: the last ticket id of the previous page ("" = from the start)
    ARGV[2] its score (enqueuedAt)   ARGV[3] page size   ARGV[4] key prefix of the type's ticket hashes
  Output: {matcher view JSON, …}, then as the last element the next cursor {id, score} or {} when done
]]
local n = tonumber(ARGV[3])
local start = 0
if ARGV[1] ~= "" then
  local rank = redis.call("ZRANK", KEYS[1], ARGV[1])
  if rank then
    start = rank + 1
  else
    -- The cursor's ticket ended since: resume at its score, skipping same-score ids up to it.
    start = redis.call("ZCOUNT", KEYS[1], "-inf", "(" .. ARGV[2])
  end
end
local views = {}
local last = nil
local got = 0
while got < n do
  local page = redis.call("ZRANGE", KEYS[1], start, start + n - 1, "WITHSCORES")
  if #page == 0 then break end
  for i = 1, #page, 2 do
    if got == n then break end
    local id, score = page[i], page[i + 1]
    -- `start` counts what was looked at, so that `more` below is exact.
    start = start + 1
    local skip = ARGV[1] ~= "" and score == ARGV[2] and id <= ARGV[1]
    if not skip then
      local t = redis.call("HMGET", ARGV[4] .. id, "s", "w")
      if t[1] == SEARCHING and t[2] then views[#views + 1] = t[2] end
      got = got + 1
      last = { id, score }
    end
  end
end
local more = last and redis.call("ZCARD", KEYS[1]) > start
views[#views + 1] = more and last or {}
return views
