--[[
  Shared by the ticket scripts. A ticket hash: `j` the part that never changes (JSON written
  by TypeScript at enqueue, never re-encoded here), `p` its player ids (JSON array), `w` what
  a matcher pools of it (its view and players, JSON), `o` its owner, `s` status, `v` version, `u` updatedAt, and once it ended `m` (match JSON, written
  by TypeScript) or `r` (reason). A queue (six KEYS in a row, see queueKeysAt and
  queueScriptKeys in keys.ts): `players` hash (player id -> live ticket id), `searching` sorted
  set (by enqueuedAt), `byRating` sorted set (by rating), `waits` list (the last WAITS_KEPT
  waits to a match, ms, newest first), `feed` stream (k = "s" searching with `t` id and
  `w` as in the hash, k = "e" ended with `t` id) whose `floor` is the newest entry dropped.
  A script that ends tickets also takes the queue's activity bucket for its `now` (`q.activity`,
  see queue-activity.ts: the key is named by TypeScript, which owns the minute arithmetic).
  SEARCHING, MATCHED, ENDED_KEPT_MS, FEED_KEPT_MS and ACTIVITY_KEPT_MS come from ticket-record.ts,
  ticket-store.ts and queue-activity.ts.
]]
-- @include entry-ids
-- @include sliced

-- Appends to the queue's feed and drops what is older than FEED_KEPT_MS (on Redis's clock,
-- the one entry ids are made of), remembering the newest entry dropped as the floor: a reader
-- whose cursor is below it may have missed that entry, and reloads.
-- Checked once per script call (Redis's clock stands still within one): a commit ending several
-- tickets pays for TIME and the look at the first entry once.
local feedTrimmed = {}
local function feedAdd(feedKey, floorKey, ...)
  if not feedTrimmed[feedKey] then
    feedTrimmed[feedKey] = true
    local t = redis.call("TIME")
    local oldest = string.format("%.0f-0", math.max(0, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - FEED_KEPT_MS))
    -- The first entry tells in O(1) whether anything is due to go (the backwards seek is not cheap).
    local first = redis.call("XRANGE", feedKey, "-", "+", "COUNT", 1)[1]
    if first and entryAfter(oldest, first[1]) then
      local dropped = redis.call("XREVRANGE", feedKey, "(" .. oldest, "-", "COUNT", 1)[1]
      redis.call("XTRIM", feedKey, "MINID", oldest)
      redis.call("SET", floorKey, dropped[1])
    end
  end
  redis.call("XADD", feedKey, "*", ...)
end

-- The queue's keys, from KEYS[i] on (in queueScriptKeys order).
local function queueKeysAt(i)
  return { players = KEYS[i], searching = KEYS[i + 1], byRating = KEYS[i + 2], waits = KEYS[i + 3], feed = KEYS[i + 4], floor = KEYS[i + 5] }
end


-- The queue activity buckets given their expiry in this script call (once is enough).
local activityKept = {}

-- What a script call's ended tickets leave to do in their queue, done once for all of them by
-- finishEnds: a commit of a 5 v 5 match writes each queue key once, not ten times.
local function newEnds(q)
  return { q = q, ids = {}, players = {}, holders = {}, waits = {}, counts = {}, countKeys = {} }
end

local function countEnd(ends, field)
  if not ends.counts[field] then
    ends.counts[field] = 0
    ends.countKeys[#ends.countKeys + 1] = field
  end
  ends.counts[field] = ends.counts[field] + 1
end

-- Ends the searching ticket at `key` (hash fields given as a flat list: status, then
-- the outcome field and value), records it on the feed and leaves its place in the queue to
-- finishEnds(ends). `read`: its version, updatedAt and decoded players when the caller has
-- read them already. Returns the new version, as stored.
local function endTicket(key, id, now, ends, status, field, value, read)
  if not read then
    -- While it searched nothing else changed it: its updatedAt is when it was enqueued.
    local t = redis.call("HMGET", key, "v", "u", "p")
    -- Everything read (and decoded) before the first write: nothing can fail half-way.
    read = { v = t[1], u = t[2], players = cjson.decode(t[3]) }
  end
  local v = tonumber(read.v) + 1
  redis.call("HSET", key, "s", status, "v", v, "u", now, field, value)
  redis.call("PEXPIRE", key, ENDED_KEPT_MS)
  local q = ends.q
  feedAdd(q.feed, q.floor, "k", "e", "t", id)
  ends.ids[#ends.ids + 1] = id
  for _, p in ipairs(read.players) do
    ends.players[#ends.players + 1] = p
    ends.holders[#ends.holders + 1] = id
  end
  if status == MATCHED then ends.waits[#ends.waits + 1] = string.format("%.0f", math.max(0, tonumber(now) - tonumber(read.u))) end
  -- Counted with the end itself, so every process's ends add up exactly (activityField.ended).
  countEnd(ends, status)
  if field == "r" and value ~= "" then countEnd(ends, status .. ":" .. value) end
  return tostring(v)
end

-- The queue's side of every ticket endTicket ended into `ends`: their players' places (a place
-- another ticket of the player holds now stays), the searching sets, the waits and the activity counts.
local function finishEnds(ends)
  if #ends.ids == 0 then return end
  local q = ends.q
  local free = {}
  for i = 1, #ends.players, SLICE do
    local held = redis.call("HMGET", q.players, unpack(ends.players, i, math.min(i + SLICE - 1, #ends.players)))
    for k, holder in ipairs(held) do
      if holder == ends.holders[i + k - 1] then free[#free + 1] = ends.players[i + k - 1] end
    end
  end
  if #free > 0 then callSliced("HDEL", q.players, free) end
  callSliced("ZREM", q.searching, ends.ids)
  callSliced("ZREM", q.byRating, ends.ids)
  if #ends.waits > 0 then
    -- Newest first, as one LPUSH per end would leave them.
    callSliced("LPUSH", q.waits, ends.waits)
    redis.call("LTRIM", q.waits, 0, WAITS_KEPT - 1)
  end
  for _, field in ipairs(ends.countKeys) do redis.call("HINCRBY", q.activity, field, ends.counts[field]) end
  if not activityKept[q.activity] then
    activityKept[q.activity] = true
    redis.call("PEXPIRE", q.activity, ACTIVITY_KEPT_MS)
  end
end
