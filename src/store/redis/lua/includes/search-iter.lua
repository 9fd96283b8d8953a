--[[
  Sorted-set walking for the list script. A keyset position (score, id) becomes a rank
  in O(log² n): ZCOUNT below the score, then a binary search among the members sharing
  it. Members are then read a batch at a time, so a walk costs what it reads, not the
  size of the set. An iterator is {take(n) -> ids, scores; more() -> bool; key}: scores
  are read only where the order needs them (merges, NEAREST); otherwise `key` is the one
  set the ids come from, for looking up the few scores a page needs.
  Redis orders equal scores by member bytes; Lua's `<` on strings follows the server
  locale, hence idLess.
]]
local INF = math.huge
local CHUNK = 128

-- Exact text of a double: Redis and JavaScript read it back to the same number.
local function fmt(n)
  return string.format("%.17g", n)
end

local function bound(n)
  if n == INF then return "+inf" elseif n == -INF then return "-inf" end
  return fmt(n)
end

local function idLess(a, b)
  if a == b then return false end
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- Members of `key` scored at most `s` (below `s` when `strict`).
local function countTo(key, s, strict)
  local prefix = ""
  if strict then prefix = "(" end
  return redis.call("ZCOUNT", key, "-inf", prefix .. bound(s))
end

-- Members of `key` ordered before (s, id), or at it too with `orEqual`.
local function rankOf(key, s, id, orEqual)
  local lo = countTo(key, s, true)
  local hi = countTo(key, s, false)
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local m = redis.call("ZRANGE", key, mid, mid)[1]
    if idLess(m, id) or (orEqual and m == id) then lo = mid + 1 else hi = mid end
  end
  return lo
end

local function scoreAt(key, rank)
  return tonumber(redis.call("ZRANGE", key, rank, rank, "WITHSCORES")[2])
end

-- Ascending ranks [a, b) of the members scored within p.lo..p.hi (lx/hx exclusive; absent = open).
local function rankRange(key, p)
  local a, b = 0, redis.call("ZCARD", key)
  if p and p.lo then a = countTo(key, p.lo, not p.lx) end
  if p and p.hi then b = countTo(key, p.hi, p.hx) end
  return a, math.max(a, b)
end

-- First rank in [lo, hi) whose score satisfies `pred` (false, then true, along the ranks).
local function firstRank(key, lo, hi, pred)
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if pred(scoreAt(key, mid)) then hi = mid else lo = mid + 1 end
  end
  return lo
end

-- Reads ranks lo..hi of `key` in order (reversed with desc): ids, and scores when asked.
local function readRanks(key, lo, hi, desc, withScores)
  local ids, sc = {}, {}
  if withScores then
    local rows = redis.call("ZRANGE", key, lo, hi, "WITHSCORES")
    local n = #rows / 2
    for j = 1, n do
      local k = j
      if desc then k = n - j + 1 end
      ids[j], sc[j] = rows[2 * k - 1], tonumber(rows[2 * k])
    end
  else
    local rows = redis.call("ZRANGE", key, lo, hi)
    local n = #rows
    for j = 1, n do
      if desc then ids[j] = rows[n - j + 1] else ids[j] = rows[j] end
    end
  end
  return ids, sc
end

-- Ranks [a, b) of `key`, upward, or downward with desc.
local function rankIter(key, a, b, desc, withScores)
  local it = { key = key }
  function it.more() return a < b end
  function it.take(n)
    if a >= b or n <= 0 then return {}, {} end
    local lo, hi
    if desc then
      lo, hi = math.max(a, b - n), b - 1
      b = lo
    else
      lo, hi = a, math.min(b, a + n) - 1
      a = hi + 1
    end
    return readRanks(key, lo, hi, desc, withScores)
  end
  return it
end

-- Members of `key` within the bounds of `p`, in (score, id) order (reversed with desc), after (cs, cid) when given.
local function zsetIter(key, p, desc, cs, cid, withScores)
  local a, b = rankRange(key, p)
  if cs then
    if desc then b = math.min(b, rankOf(key, cs, cid, false)) else a = math.max(a, rankOf(key, cs, cid, true)) end
  end
  return rankIter(key, a, b, desc, withScores)
end

-- One iterator over several (each with scores), in (score, id) order (reversed with desc).
local function mergeIters(iters, desc)
  if #iters == 1 then return iters[1] end
  local bufI, bufS, pos = {}, {}, {}
  for k = 1, #iters do bufI[k], bufS[k], pos[k] = {}, {}, 1 end
  local function head(k)
    if pos[k] > #bufI[k] then
      bufI[k], bufS[k] = iters[k].take(CHUNK)
      pos[k] = 1
    end
    return bufI[k][pos[k]]
  end
  local it = {}
  function it.more()
    for k = 1, #iters do if head(k) then return true end end
    return false
  end
  function it.take(n)
    local ids, sc = {}, {}
    while #ids < n do
      local best, bs, bid = nil, nil, nil
      for k = 1, #iters do
        local id = head(k)
        if id then
          local s = bufS[k][pos[k]]
          local first = not best or (desc and (s > bs or (s == bs and idLess(bid, id))))
            or (not desc and (s < bs or (s == bs and idLess(id, bid))))
          if first then best, bs, bid = k, s, id end
        end
      end
      if not best then break end
      ids[#ids + 1], sc[#sc + 1] = bid, bs
      pos[best] = pos[best] + 1
    end
    return ids, sc
  end
  return it
end
