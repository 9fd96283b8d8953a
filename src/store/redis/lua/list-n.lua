--[[
  One page of the games of one type that match a filter, in sort order, after a cursor,
  at a cost bounded by the plan's budget however many games the type holds; read-only.
  Strategy: when the smallest candidate set (one condition's members) fits the
  materialize budget, read it whole (exact count). Otherwise walk an index that is
  already in page order from the cursor — createdAt-scored sets for CREATED_AT, the
  quick-join index (or free-seat groups) for FREE_SEATS, the label index for LABEL and
  NEAREST — checking the other conditions per batch, until first + 1 matches or the scan
  budget; then count: exactly when the other conditions only exclude the members of small
  sets (at most budget.count members), else by examining at most budget.count members of
  the smallest set.
  Input:
    KEYS    every index the plan names (the plan refers to them by position)
    ARGV[1] plan JSON (PlanBody in search-plan.ts)   ARGV[2] page size (first)
    ARGV[3] cursor JSON: [score, id] or [score, id, tie] ("" = from the start)
    ARGV[4] game key prefix (the page's ids are appended to read their hashes)
  Output: {count, capped (0|1), hasNext (0|1), end score, end tie, end id ("" = no end cursor),
           {id, score, tie or "", the hash's record fields (no ix…) as a JSON array of fields and values}...}
]]
-- @include record
-- @include search-iter
-- @include search-near
local P = cjson.decode(ARGV[1])
local first = tonumber(ARGV[2])
local Q = {
  plan = P, need = first + 1, desc = P.desc, budget = P.budget, preds = P.preds,
  found = {}, scanned = 0, last = nil, stopped = false, cur = nil,
}
if ARGV[3] ~= "" then
  local c = cjson.decode(ARGV[3])
  Q.cur = { s = c[1], id = c[2], t = c[3] }
end
-- @include search-check

local sortPred = P.sortPred and Q.preds[P.sortPred]
for _, p in ipairs(Q.preds) do
  local implied = {}
  for i, at in ipairs(p.implies or {}) do implied[i] = Q.preds[at] end
  p.implies = implied
  p.card = INF
  if p.t == "in" then
    p.card = 0
    for _, k in ipairs(p.k) do
      local a, b = rankRange(KEYS[k], p)
      p.card = p.card + b - a
    end
  elseif p.t == "num" and p.need then
    local a, b = rankRange(KEYS[p.k], p)
    p.card = b - a
  end
end
-- Most selective first, so later conditions look up fewer members.
table.sort(Q.preds, function(x, y) return x.card < y.card end)
local smallest = Q.preds[1]

-- The smallest "in" condition whose sets are scored as `order` says ("created" or "free").
local function driverOf(order)
  for _, p in ipairs(Q.preds) do
    if p.t == "in" and p.o == order then return p end
  end
end

local function cursorIn()
  if Q.cur then return Q.cur.s, Q.cur.id end
end

-- Walks the sets of condition p (within its bounds) in (score, id) order from the cursor.
local function walkSets(p, cs, cid, keyOf, skip)
  local iters = {}
  for _, k in ipairs(p.k) do iters[#iters + 1] = zsetIter(KEYS[k], p, Q.desc, cs, cid, #p.k > 1) end
  walk(mergeIters(iters, Q.desc), skip or skipFor(p), keyOf)
end

local function asIs(id, s) return { s = s, id = id } end

--[[
  FREE_SEATS without a usable quick-join index: free-seat values group by group (each
  found with one ZRANGE on the free index), a small group read whole, a large one walked
  in creation order through `driver`, keeping its members.
]]
local function freeGroups(driver)
  local freeKey, w = KEYS[P.free], P.w
  local total = redis.call("ZCARD", freeKey)
  local function groupAfter(f)
    local r
    if Q.desc then
      r = redis.call("ZRANGE", freeKey, f and ("(" .. bound(f)) or "+inf", bound(P.minFree), "BYSCORE", "REV", "LIMIT", 0, 1, "WITHSCORES")
    else
      r = redis.call("ZRANGE", freeKey, f and ("(" .. bound(f)) or bound(P.minFree), "+inf", "BYSCORE", "LIMIT", 0, 1, "WITHSCORES")
    end
    return r[2] and tonumber(r[2])
  end
  local f, cs, cid = nil, nil, nil
  if Q.cur then
    f = math.floor(Q.cur.s / w)
    cs, cid = Q.cur.s - f * w, Q.cur.id
    if f < P.minFree then
      if Q.desc then return end
      f, cs, cid = nil, nil, nil
    end
  end
  f = f or groupAfter(nil)
  while f do
    local left = Q.budget.scan - Q.scanned
    if left <= 0 then
      Q.stopped = true
      return
    end
    local size = redis.call("ZCOUNT", freeKey, bound(f), bound(f))
    if size <= left and size * size <= Q.need * total then
      Q.scanned = Q.scanned + size
      collect(redis.call("ZRANGE", freeKey, bound(f), bound(f), "BYSCORE"), {}, cs and { s = f * w + cs, id = cid })
    else
      local saved, skip = Q.preds, skipFor(driver)
      Q.preds = { { t = "num", k = P.free, lo = f, hi = f, need = true } }
      for _, p in ipairs(saved) do Q.preds[#Q.preds + 1] = p end
      walkSets(driver, cs, cid, function(id, s) return { s = f * w + s, id = id } end, skip)
      Q.preds = saved
    end
    if #Q.found >= Q.need or Q.stopped then return end
    -- All of group f is examined: a resume position past it, exact and before the next group.
    if Q.desc then Q.last = { s = f * w - 1, id = "" } else Q.last = { s = (f + 1) * w, id = "" } end
    f, cs, cid = groupAfter(f), nil, nil
  end
end

local count, capped = 0, false
if smallest.card <= Q.budget.materialize then
  count = collect(membersIter(smallest).take(smallest.card), skipFor(smallest), Q.cur)
else
  local cs, cid = cursorIn()
  if P.sort == "created" then
    walkSets(driverOf("created"), cs, cid, asIs)
  elseif P.sort == "free" then
    local qj = driverOf("free")
    if qj then walkSets(qj, cs, cid, asIs) else freeGroups(driverOf("created")) end
  elseif P.sort == "label" then
    walk(zsetIter(KEYS[P.sortKey], sortPred, Q.desc, cs, cid, false), skipFor(sortPred), asIs)
  else
    walk(nearestIter(KEYS[P.sortKey], sortPred, P.target, Q.cur), skipFor(sortPred), function(id, v)
      return { s = math.abs(v - P.target), t = v, id = id }
    end)
  end
  local own, exact = skipFor(smallest), true
  for _, p in ipairs(Q.preds) do exact = exact and own[p] == true end
  if exact then
    count = smallest.card
  else
    count = countByExclusion(smallest, Q.budget.count)
    if not count then
      local exhausted
      count, exhausted = countMatches(smallest, Q.budget.count)
      capped = not exhausted
    end
  end
end

local found = Q.found
local more = #found > first
local last = found[#found]
if more then last = found[first] elseif Q.stopped then last = Q.last or Q.cur end
local out = { count, capped and 1 or 0, (more or Q.stopped) and 1 or 0, "", "", "" }
if last then
  out[4], out[6] = fmt(last.s), last.id
  if last.t then out[5] = fmt(last.t) end
end
-- The record's fields only: the index bookkeeping (`ix…`, see game.lua) is a third of a hash's
-- bytes and no reader needs it.
for i = 1, math.min(#found, first) do
  local k = found[i]
  local tie = ""
  if k.t then tie = fmt(k.t) end
  out[#out + 1] = { k.id, fmt(k.s), tie, packRecord(redis.call("HGETALL", ARGV[4] .. k.id)) }
end
return out
