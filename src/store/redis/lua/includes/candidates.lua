--[[
  The quick-join walk (after `game`): candidates come from a quick-join index, scored
  free seats * FREE_WEIGHT + createdAt, so a free-seat "bucket" is one score range and
  each walk reads O(budget + buckets) entries however many games the index holds.
]]

local function bucketOf(score)
  return math.floor(tonumber(score) / FREE_WEIGHT)
end

--[[
  Ids of at most `budget` games in `key` with at least `need` free seats, in the order of
  `prefer`: fewestFreeSeats (ascending buckets), mostFreeSeats (descending buckets), or
  oldest (the oldest of every bucket, merged by age); oldest first, then id, within a tie.
]]
local function candidates(key, need, prefer, budget)
  local low = need * FREE_WEIGHT
  if prefer == "fewestFreeSeats" then
    return redis.call("ZRANGEBYSCORE", key, msText(low), "+inf", "LIMIT", 0, budget)
  end
  local out = {}
  if prefer == "mostFreeSeats" then
    local high = "+inf"
    while #out < budget do
      local top = redis.call("ZREVRANGEBYSCORE", key, high, msText(low), "WITHSCORES", "LIMIT", 0, 1)
      if #top == 0 then break end
      local base = bucketOf(top[2]) * FREE_WEIGHT
      local ids = redis.call("ZRANGEBYSCORE", key, msText(base), "(" .. msText(base + FREE_WEIGHT), "LIMIT", 0, budget - #out)
      for _, id in ipairs(ids) do out[#out + 1] = id end
      high = "(" .. msText(base)
    end
    return out
  end
  if prefer ~= "oldest" then error("unknown quick-join preference " .. tostring(prefer)) end
  local rows = {}
  local from = msText(low)
  while true do
    local first = redis.call("ZRANGEBYSCORE", key, from, "+inf", "WITHSCORES", "LIMIT", 0, 1)
    if #first == 0 then break end
    local base = bucketOf(first[2]) * FREE_WEIGHT
    local bucket = redis.call("ZRANGEBYSCORE", key, msText(base), "(" .. msText(base + FREE_WEIGHT), "WITHSCORES", "LIMIT", 0, budget)
    for i = 1, #bucket, 2 do rows[#rows + 1] = { bucket[i], tonumber(bucket[i + 1]) - base } end
    from = msText(base + FREE_WEIGHT)
  end
  table.sort(rows, function(a, b) return a[2] < b[2] or (a[2] == b[2] and a[1] < b[1]) end)
  for i = 1, math.min(budget, #rows) do out[i] = rows[i][1] end
  return out
end

-- One label comparison with matchesLabel's meaning (filter.ts): `raw` is the stored JSON or nil.
local function labelPasses(raw, f)
  local v = nil
  if raw then v = cjson.decode(raw) end
  local function same(x) return v ~= nil and type(v) == type(x) and v == x end
  if f.ne ~= nil and same(f.ne) then return false end
  if f.eq ~= nil and not same(f.eq) then return false end
  local b = f.between
  if f.gt == nil and f.gte == nil and f.lt == nil and f.lte == nil and b == nil then return true end
  if type(v) ~= "number" then return false end
  return (f.gt == nil or v > f.gt) and (f.gte == nil or v >= f.gte)
    and (f.lt == nil or v < f.lt) and (f.lte == nil or v <= f.lte)
    and (b == nil or (v >= b[1] and v <= b[2]))
end

--[[
  Whether the game at `key` takes the whole party and passes the filter: a joinable state
  (and one of filter.states, when given), room for everyone, every label comparison, and
  none of the party seated in it yet. One HMGET.
]]
local function candidateFits(key, party, filter, joinable)
  local fields = { "state", "pids", "capacity" }
  for _, f in ipairs(filter.labels) do fields[#fields + 1] = "l:" .. f.key end
  for _, p in ipairs(party) do fields[#fields + 1] = "p:" .. p[1] end
  local row = redis.call("HMGET", key, unpack(fields))
  local state = row[1]
  if not state or not joinable[state] then return false end
  if filter.states then
    local listed = false
    for _, s in ipairs(filter.states) do listed = listed or s == state end
    if not listed then return false end
  end
  if tonumber(row[3]) - #cjson.decode(row[2]) < #party then return false end
  for i, f in ipairs(filter.labels) do
    if not labelPasses(row[3 + i] or nil, f) then return false end
  end
  for i = 1, #party do
    if row[3 + #filter.labels + i] then return false end
  end
  return true
end

--[[
  The second walk (quickJoinDrive in quick-join-drive.ts), when the first found nothing: the
  first `budget` ids of the label index drive.key within [drive.min, drive.max] in its order,
  kept when `qjKey` lists them with room for `need` (public, taking players) and they pass
  candidateFits; returns the best of those by `prefer` (quickJoinOrder), or nil. A selective
  filter thus reaches its games however many others sort before them in free-seat order.
]]
local function drivenCandidate(qjKey, drive, party, filter, joinable, prefer, budget, prefix)
  local low = #party * FREE_WEIGHT
  local best, bestKey = nil, nil
  -- {bucket, createdAt, id}: smaller key = better, per preference.
  local function rank(id, score)
    local bucket = bucketOf(score)
    local age = tonumber(score) - bucket * FREE_WEIGHT
    if prefer == "fewestFreeSeats" then return { bucket, age, id } end
    if prefer == "mostFreeSeats" then return { -bucket, age, id } end
    return { 0, age, id }
  end
  local function better(a, b)
    if a[1] ~= b[1] then return a[1] < b[1] end
    if a[2] ~= b[2] then return a[2] < b[2] end
    return a[3] < b[3]
  end
  for _, id in ipairs(redis.call("ZRANGEBYSCORE", drive.key, drive.min, drive.max, "LIMIT", 0, budget)) do
    local score = redis.call("ZSCORE", qjKey, id)
    if score and tonumber(score) >= low and candidateFits(prefix .. id, party, filter, joinable) then
      local r = rank(id, score)
      if best == nil or better(r, bestKey) then best, bestKey = id, r end
    end
  end
  return best
end
