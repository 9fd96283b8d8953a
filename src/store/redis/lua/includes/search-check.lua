--[[
  Candidate checks and page assembly for the list script (after search-iter; expects the
  query state Q: plan, need = first + 1, cur = cursor key or nil, desc, budget, preds,
  found, scanned, last, stopped). A key is {s = score, t = tie or nil, id}.
  Conditions are checked for a whole batch at once: one ZMSCORE per condition key over
  the candidates still passing, most selective condition first.
]]
local BATCH_MAX = 512

-- Whether key x comes before key y in the page's order.
local function before(x, y)
  if x.s ~= y.s then
    if Q.desc then return x.s > y.s end
    return x.s < y.s
  end
  if x.t and y.t and x.t ~= y.t then return x.t < y.t end
  if Q.desc then return idLess(y.id, x.id) end
  return idLess(x.id, y.id)
end

-- A stored score (false when not a member) against a "num" condition.
local function numOk(p, raw)
  if not raw then return not p.need end
  local v = tonumber(raw)
  if p.lo and (v < p.lo or (p.lx and v == p.lo)) then return false end
  if p.hi and (v > p.hi or (p.hx and v == p.hi)) then return false end
  if p.ne then
    for _, x in ipairs(p.ne) do if v == x then return false end end
  end
  return true
end

--[[
  Set of positions in `ids` (at most BATCH_MAX) that meet every condition of Q.preds not
  in `skip`. A condition met also settles the ones it implies (a quick-join bucket implies
  visibility, region and free seats), so those are not looked up again.
]]
local function passing(ids, skip)
  local live, settled = {}, {}
  for j = 1, #ids do live[j] = j end
  for p in pairs(skip) do settled[p] = true end
  for _, p in ipairs(Q.preds) do
    if not settled[p] and #live > 0 then
      local batch, keep = ids, {}
      if #live < #ids then
        batch = {}
        for j, at in ipairs(live) do batch[j] = ids[at] end
      end
      if p.t == "num" then
        local sc = redis.call("ZMSCORE", KEYS[p.k], unpack(batch))
        for j, at in ipairs(live) do if numOk(p, sc[j]) then keep[#keep + 1] = at end end
      else
        local hit = {}
        for _, k in ipairs(p.k) do
          local sc = redis.call("ZMSCORE", KEYS[k], unpack(batch))
          for j = 1, #batch do if sc[j] and (not p.lo or tonumber(sc[j]) >= p.lo) then hit[j] = true end end
        end
        local want = p.t == "in"
        for j, at in ipairs(live) do if (hit[j] == true) == want then keep[#keep + 1] = at end end
      end
      live = keep
      for _, q in ipairs(p.implies or {}) do settled[q] = true end
    end
  end
  local ok = {}
  for _, at in ipairs(live) do ok[at] = true end
  return ok
end

-- The conditions a walk over (or a read of) p's sets need not check: p, and what p implies.
local function skipFor(p)
  -- A range read whole still has its `ne` values to exclude.
  if p.t == "num" and p.ne then return {} end
  local skip = { [p] = true }
  for _, q in ipairs(p.implies or {}) do skip[q] = true end
  return skip
end

-- Scores of `ids` in the sorted set `key`, as numbers (nil for non-members).
local function scoresIn(key, ids)
  local out = {}
  if #ids == 0 then return out end
  local sc = redis.call("ZMSCORE", key, unpack(ids))
  for j = 1, #ids do out[j] = sc[j] and tonumber(sc[j]) end
  return out
end

--[[
  Examines candidates from `it` (already in page order, after the cursor) until the page
  has `need` matches or the scan budget is spent; keyOf(id, score) makes a page key.
  Scores the iterator did not read are looked up in it.key for the matches and the last
  candidate only. Stopping on the budget while candidates remain sets Q.stopped.
]]
local function walk(it, skip, keyOf)
  local batch = math.max(2 * Q.need, 32)
  while #Q.found < Q.need do
    local left = Q.budget.scan - Q.scanned
    if left <= 0 then
      if it.more() then Q.stopped = true end
      return
    end
    local ids, sc = it.take(math.min(batch, left))
    if #ids == 0 then return end
    local ok = passing(ids, skip)
    local hits, upto = {}, #ids
    for j = 1, #ids do
      if ok[j] then
        hits[#hits + 1] = j
        if #Q.found + #hits >= Q.need then
          upto = j
          break
        end
      end
    end
    local want = {}
    for _, j in ipairs(hits) do want[#want + 1] = j end
    if want[#want] ~= upto then want[#want + 1] = upto end
    if #sc == 0 then
      local names = {}
      for i, j in ipairs(want) do names[i] = ids[j] end
      local got = scoresIn(it.key, names)
      for i, j in ipairs(want) do sc[j] = got[i] end
    end
    for _, j in ipairs(hits) do Q.found[#Q.found + 1] = keyOf(ids[j], sc[j]) end
    Q.scanned = Q.scanned + upto
    Q.last = keyOf(ids[upto], sc[upto])
    batch = math.min(batch * 2, BATCH_MAX)
  end
end

-- Page keys of `ids` (all members of the visibility index, and of the sort label's index for LABEL/NEAREST).
local function keysOf(ids)
  local P, keys = Q.plan, {}
  if P.sort == "label" or P.sort == "nearest" then
    local v = scoresIn(KEYS[P.sortKey], ids)
    for j, id in ipairs(ids) do
      if P.sort == "label" then keys[j] = { s = v[j], id = id } else keys[j] = { s = math.abs(v[j] - P.target), t = v[j], id = id } end
    end
    return keys
  end
  local created = scoresIn(KEYS[P.vis], ids)
  local free = {}
  if P.sort == "free" then free = scoresIn(KEYS[P.free], ids) end
  for j, id in ipairs(ids) do keys[j] = { s = (free[j] or 0) * P.w + created[j], id = id } end
  return keys
end

-- Offers key k to `top`, which keeps the `cap` first keys in page order.
local function offer(top, k, cap)
  local n = #top
  if n >= cap and not before(k, top[n]) then return end
  local i = n
  while i >= 1 and before(k, top[i]) do i = i - 1 end
  table.insert(top, i + 1, k)
  if #top > cap then top[#top] = nil end
end

--[[
  Checks every id of `members` against the conditions not in `skip` and adds the matches
  after `cur` to Q.found, in page order, up to `need`. Returns how many matched in all
  (before the cursor too).
]]
local function collect(members, skip, cur)
  local top, matched = {}, 0
  for from = 1, #members, BATCH_MAX do
    local chunk = {}
    for j = from, math.min(#members, from + BATCH_MAX - 1) do chunk[#chunk + 1] = members[j] end
    local ok, ids = passing(chunk, skip), {}
    for j, id in ipairs(chunk) do if ok[j] then ids[#ids + 1] = id end end
    if #ids > 0 then
      for _, k in ipairs(keysOf(ids)) do
        matched = matched + 1
        if not cur or before(cur, k) then offer(top, k, Q.need - #Q.found) end
      end
    end
  end
  for _, k in ipairs(top) do Q.found[#Q.found + 1] = k end
  return matched
end

-- An iterator over the members of condition p's sets (within its bounds for "num"), in no useful order.
local function membersIter(p)
  local iters = {}
  local keys = p.k
  if p.t == "num" then keys = { p.k } end
  for _, k in ipairs(keys) do
    local a, b = rankRange(KEYS[k], p)
    iters[#iters + 1] = rankIter(KEYS[k], a, b, false, false)
  end
  local at = 1
  local it = {}
  function it.more()
    while at <= #iters and not iters[at].more() do at = at + 1 end
    return at <= #iters
  end
  function it.take(n)
    local ids = {}
    while #ids < n and it.more() do
      for _, id in ipairs((iters[at].take(n - #ids))) do ids[#ids + 1] = id end
    end
    return ids
  end
  return it
end

-- Matches among the first `limit` members of condition p's sets; exhausted = all were examined.
local function countMatches(p, limit)
  local it, count, seen = membersIter(p), 0, 0
  local skip = skipFor(p)
  while seen < limit and it.more() do
    local ids = it.take(math.min(BATCH_MAX, limit - seen))
    seen = seen + #ids
    for _ in pairs(passing(ids, skip)) do count = count + 1 end
  end
  return count, not it.more()
end

--[[
  The exact count of condition p's matches when every other condition (besides what p
  implies) only excludes the members of sets small enough to read — `limit` members in all:
  p's size less the members of those sets that p holds. The default listing (public, not
  ENDED) is counted so: a type's ended games are few next to its live ones, so the count is
  exact without examining every public game. nil when the conditions are of another shape.
]]
local function countByExclusion(p, limit)
  -- p.card sums p's sets, which are disjoint (one state, region or visibility per game), and
  -- bounds an "in" set from below only; anything else is not counted here.
  if p.t ~= "in" or p.hi or p.lx or p.hx then return nil end
  local own, keys, size = skipFor(p), {}, 0
  for _, q in ipairs(Q.preds) do
    if not own[q] then
      if q.t ~= "out" then return nil end
      for _, k in ipairs(q.k) do
        size = size + redis.call("ZCARD", KEYS[k])
        if size > limit then return nil end
        keys[#keys + 1] = KEYS[k]
      end
    end
  end
  local seen, ids = {}, {}
  for _, key in ipairs(keys) do
    for _, id in ipairs(redis.call("ZRANGE", key, 0, -1)) do
      if not seen[id] then
        seen[id] = true
        ids[#ids + 1] = id
      end
    end
  end
  local held = 0
  for at = 1, #ids, BATCH_MAX do
    local batch = { unpack(ids, at, math.min(at + BATCH_MAX - 1, #ids)) }
    local hit = {}
    for _, k in ipairs(p.k) do
      local sc = redis.call("ZMSCORE", KEYS[k], unpack(batch))
      for j = 1, #batch do if sc[j] and (not p.lo or tonumber(sc[j]) >= p.lo) then hit[j] = true end end
    end
    for j = 1, #batch do if hit[j] then held = held + 1 end end
  end
  return p.card - held
end
