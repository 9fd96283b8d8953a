--[[
  Hands out the due control calls of one game type (the game-server outbox), at most
  `limit`, oldest due first: each one's attempt count goes up by one and it is held back —
  from every taker — for a back-off that doubles with its attempts, so a call that is not
  completed comes round again then, and two workers never take it at the same moment.
  TypeScript twin: takeDueControls in memory/outbox.ts, with outboxHoldMs (outbox-backoff.ts).
  Input:
    KEYS[1] outbox hash (id -> call JSON), KEYS[2] due index (id scored by due time)
    ARGV[1] now (epoch ms)   ARGV[2] limit   ARGV[3] first hold ms   ARGV[4] longest hold ms
    ARGV[5] shortest hold ms (how long one attempt can take)
  Output: {id, call JSON (attempts updated), …}
]]
local now = tonumber(ARGV[1])
local out = {}
for _, id in ipairs(redis.call("ZRANGE", KEYS[2], "-inf", ARGV[1], "BYSCORE", "LIMIT", 0, tonumber(ARGV[2]))) do
  local raw = redis.call("HGET", KEYS[1], id)
  if not raw then
    redis.call("ZREM", KEYS[2], id)
  else
    local c = cjson.decode(raw)
    c.attempts = (tonumber(c.attempts) or 0) + 1
    local hold = math.max(tonumber(ARGV[5]), math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ math.min(c.attempts - 1, 20)))
    local json = cjson.encode(c)
    redis.call("HSET", KEYS[1], id, json)
    redis.call("ZADD", KEYS[2], string.format("%.0f", now + hold), id)
    out[#out + 1] = id
    out[#out + 1] = json
  end
end
return out
