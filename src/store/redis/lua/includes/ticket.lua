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

-- Ends the searching ticket at `key` (hash fields given as a flat list: status, then
-- the outcome field and value), frees its players' places in the queue, records it on the feed
-- and counts it in the queue's activity. `read`: its version, updatedAt and decoded players when
-- the caller has read them already. Returns the new version, as stored.
local function endTicket(key, id, now, q, status, field, value, read)
  if not read then
    -- While it searched nothing else changed it: its updatedAt is when it was enqueued.
    local t = redis.call("HMGET", key, "v", "u", "p")
    -- Everything read (and decoded) before the first write: nothing can fail half-way.
    read = { v = t[1], u = t[2], players = cjson.decode(t[3]) }
  end
  local players = read.players
  local v = tonumber(read.v) + 1
  redis.call("HSET", key, "s", status, "v", v, "u", now, field, value)
  for _, p in ipairs(players) do
    if redis.call("HGET", q.players, p) == id then redis.call("HDEL", q.players, p) end
  end
  redis.call("ZREM", q.searching, id)
  redis.call("ZREM", q.byRating, id)
  if status == MATCHED then
    redis.call("LPUSH", q.waits, string.format("%.0f", math.max(0, tonumber(now) - tonumber(read.u))))
    redis.call("LTRIM", q.waits, 0, WAITS_KEPT - 1)
  end
  redis.call("PEXPIRE", key, ENDED_KEPT_MS)
  feedAdd(q.feed, q.floor, "k", "e", "t", id)
  -- Counted with the end itself, so every process's ends add up exactly (activityField.ended).
  redis.call("HINCRBY", q.activity, status, 1)
  if field == "r" and value ~= "" then redis.call("HINCRBY", q.activity, status .. ":" .. value, 1) end
  if not activityKept[q.activity] then
    activityKept[q.activity] = true
    redis.call("PEXPIRE", q.activity, ACTIVITY_KEPT_MS)
  end
  return tostring(v)
end
