--[[
  NEAREST order over a label index (after search-iter): distance |v - t|, then v, then
  id. Above the target, ranks already run in that order. Below it, distance grows as
  ranks fall, so the ranks are read one run of equal distance at a time, each upward
  (ascending v, id): a run is usually one value group, found with two ZCOUNTs; runs of
  several values happen only when the subtraction rounds, and are found by binary search.
]]
local function nearestIter(key, p, t, c)
  local function dist(v) return math.abs(v - t) end
  local la, lb = rankRange(key, p)
  local mid = math.max(la, math.min(lb, countTo(key, t, false)))
  -- Left: ranks [runNext, runEnd) of the current run, then the runs below `top`.
  local right, top, runNext, runEnd = mid, mid, 0, 0
  if c then
    local d0, v0 = c.s, c.t or (t + c.s)
    top = firstRank(key, la, mid, function(v) return dist(v) <= d0 end)
    if v0 > t then
      right = math.max(mid, rankOf(key, v0, c.id, true))
    else
      right = firstRank(key, mid, lb, function(v) return dist(v) >= d0 end)
      runEnd = firstRank(key, top, mid, function(v) return dist(v) < d0 end)
      runNext = math.min(math.max(top, rankOf(key, v0, c.id, true)), runEnd)
    end
  end
  local rightIt = rankIter(key, right, lb, false, true)
  local lI, lS, lp, rI, rS, rp = {}, {}, 1, {}, {}, 1

  local function leftHead()
    if lp <= #lI then return true end
    if runNext >= runEnd then
      if top <= la then return false end
      local v = scoreAt(key, top - 1)
      local d = dist(v)
      local a = math.max(la, countTo(key, v, true))
      if a > la and dist(scoreAt(key, a - 1)) <= d then
        a = firstRank(key, la, a, function(x) return dist(x) <= d end)
      end
      runNext, runEnd, top = a, top, a
    end
    local hi = math.min(runEnd, runNext + CHUNK) - 1
    lI, lS = readRanks(key, runNext, hi, false, true)
    lp, runNext = 1, hi + 1
    return lp <= #lI
  end

  local function rightHead()
    if rp > #rI then
      rI, rS = rightIt.take(CHUNK)
      rp = 1
    end
    return rp <= #rI
  end

  local it = { key = key }
  function it.more() return leftHead() or rightHead() end
  function it.take(n)
    local ids, sc = {}, {}
    while #ids < n do
      local hasL, hasR = leftHead(), rightHead()
      if not hasL and not hasR then break end
      local useLeft = hasL
      if hasL and hasR then
        local vl, vr = lS[lp], rS[rp]
        local dl, dr = dist(vl), dist(vr)
        useLeft = dl < dr or (dl == dr and (vl < vr or (vl == vr and idLess(lI[lp], rI[rp]))))
      end
      if useLeft then
        ids[#ids + 1], sc[#sc + 1] = lI[lp], lS[lp]
        lp = lp + 1
      else
        ids[#ids + 1], sc[#sc + 1] = rI[rp], rS[rp]
        rp = rp + 1
      end
    end
    return ids, sc
  end
  return it
end
