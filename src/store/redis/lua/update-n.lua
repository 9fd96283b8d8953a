--[[
  Replaces settings, labels, visibility and/or join code, keeping the visibility and
  label indexes in step.
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes
    KEYS[8..] new static indexes: the visibility index first when ARGV[7] ~= "",
              then the label indexes when ARGV[6] ~= ""
    ARGV[1] "1" when only the creator may update (a non-admin actor), else "0"
    ARGV[2] actor id   ARGV[3] expected version ("" = any)   ARGV[4] now (epoch ms)
    ARGV[5] settings JSON ("" = unchanged)   ARGV[6] labels JSON ("" = unchanged)
    ARGV[7] visibility ("" = unchanged)   ARGV[8] join code op: "" unchanged, "clear", "set"
    ARGV[9] join code (for "set")
    ARGV[10..] score per new label index, in KEYS order ("" = createdAt)
  Output: {0, hash, previous state} | {CODE.NOT_FOUND} | {CODE.NOT_CREATOR} | {CODE.VERSION_CONFLICT, version}
]]
-- @include game
local g = readGame()
if not g then return { CODE.NOT_FOUND } end
if ARGV[1] == "1" and ARGV[2] ~= g.creatorId then return { CODE.NOT_CREATOR } end
if ARGV[3] ~= "" and tonumber(ARGV[3]) ~= tonumber(g.version) then
  return { CODE.VERSION_CONFLICT, g.version }
end

local nextKey = 8
if ARGV[7] ~= "" then
  local visKey = KEYS[nextKey]
  nextKey = nextKey + 1
  redis.call("ZREM", g.ixVis, g.id)
  redis.call("ZADD", visKey, g.createdAt, g.id)
  redis.call("HSET", gameKey, "visibility", ARGV[7], "ixVis", visKey)
end
if ARGV[6] ~= "" then
  for _, key in ipairs(cjson.decode(g.ixLbl or "[]")) do redis.call("ZREM", key, g.id) end
  local lblKeys = {}
  for i = nextKey, #KEYS do
    local score = ARGV[10 + i - nextKey]
    if score == "" then score = g.createdAt end
    redis.call("ZADD", KEYS[i], score, g.id)
    lblKeys[#lblKeys + 1] = KEYS[i]
  end
  redis.call("HSET", gameKey, "labels", ARGV[6], "ixLbl", encodeList(lblKeys))
end
if ARGV[5] ~= "" then redis.call("HSET", gameKey, "settings", ARGV[5]) end
if ARGV[8] == "clear" then redis.call("HDEL", gameKey, "joinCode") end
if ARGV[8] == "set" then redis.call("HSET", gameKey, "joinCode", ARGV[9]) end
redis.call("HSET", gameKey, "version", bumpedVersion(g), "updatedAt", ARGV[4])
return okReply(g.state)
