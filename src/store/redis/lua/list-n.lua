--[[
  One page of the games of one type that match a filter, built with sorted-set
  operations only (the plan comes from list-plan.ts), sorted by score then id.
  Input:
    KEYS[1] result temp key, KEYS[2] tie temp key, KEYS[3..n] further temp keys (n = ARGV[2]),
    then every index key the plan names
    ARGV[1] plan JSON: array of {c: command, a: args}; a number in `a` is an index into KEYS
    ARGV[2] number of temp keys (KEYS[1..n], all deleted before returning)
    ARGV[3] "ASC" | "DESC"   ARGV[4] page size (first)
    ARGV[5] cursor score ("" = from the start)   ARGV[6] cursor id
    ARGV[7] game key prefix (the page's ids are appended to read their hashes)
  Output: {totalCount, hasNextPage (0|1), {id, score, hash as flat list}...}
]]
local ALLOWED = { ZUNIONSTORE = true, ZINTERSTORE = true, ZDIFFSTORE = true, ZRANGESTORE = true }
local result, ties = KEYS[1], KEYS[2]

local function run()
  for _, op in ipairs(cjson.decode(ARGV[1])) do
    if not ALLOWED[op.c] then error("list plan: command not allowed: " .. tostring(op.c)) end
    local args = {}
    for i, a in ipairs(op.a) do
      if type(a) == "number" then args[i] = KEYS[a] else args[i] = a end
    end
    redis.call(op.c, unpack(args))
  end

  local total = redis.call("ZCARD", result)
  local desc = ARGV[3] == "DESC"
  local first = tonumber(ARGV[4])
  local start = 0
  if ARGV[5] ~= "" then
    -- Position of the cursor in ascending (score, id) order; DESC is its exact reverse.
    local score, id = ARGV[5], ARGV[6]
    local below = redis.call("ZCOUNT", result, "-inf", "(" .. score)
    redis.call("ZRANGESTORE", ties, result, score, score, "BYSCORE")
    if desc then
      start = total - below - redis.call("ZLEXCOUNT", ties, "-", "(" .. id)
    else
      start = below + redis.call("ZLEXCOUNT", ties, "-", "[" .. id)
    end
  end

  local rows
  if desc then
    rows = redis.call("ZRANGE", result, start, start + first, "REV", "WITHSCORES")
  else
    rows = redis.call("ZRANGE", result, start, start + first, "WITHSCORES")
  end
  local out = { total, 0 }
  if #rows / 2 > first then out[2] = 1 end
  for i = 1, math.min(#rows / 2, first) do
    local id = rows[2 * i - 1]
    out[#out + 1] = { id, rows[2 * i], redis.call("HGETALL", ARGV[7] .. id) }
  end
  return out
end

-- Temp keys must not outlive the call, even when a step fails.
local ok, res = pcall(run)
local temps = {}
for i = 1, tonumber(ARGV[2]) do temps[i] = KEYS[i] end
redis.call("DEL", unpack(temps))
if not ok then error(res) end
return res
