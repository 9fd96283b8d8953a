--[[
  Replaces settings, labels, visibility and/or join code, keeping the visibility, label
  and join-code indexes in step, and records the activity.
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    KEYS[9] the type's join-code hash
    KEYS[10..] new static indexes: the visibility index first when ARGV[7] ~= "",
              then the label indexes named by the label entries
    ARGV[1] "1" when only the creator may update (a non-admin actor), else "0"
    ARGV[2] actor id   ARGV[3] expected version ("" = any)   ARGV[4] now (epoch ms)
    ARGV[5] settings JSON ("" = unchanged)
    ARGV[6] label entries JSON replacing all labels (see writeLabels; "" = unchanged)
    ARGV[7] visibility ("" = unchanged)   ARGV[8] join code op: "" unchanged, "clear", "set"
    ARGV[9] join code (for "set")   ARGV[10] state timeouts JSON (state -> ms)
  Output: {0, hash, previous state, {previous visibility} when it changed}
          | {CODE.NOT_FOUND} | {CODE.NOT_CREATOR} | {CODE.VERSION_CONFLICT, version} | {CODE.CODE_TAKEN}
]]
-- @include game
local g = readGame()
if not g then return { CODE.NOT_FOUND } end
if ARGV[1] == "1" and ARGV[2] ~= g.creatorId then return { CODE.NOT_CREATOR } end
if ARGV[3] ~= "" and tonumber(ARGV[3]) ~= tonumber(g.version) then
  return { CODE.VERSION_CONFLICT, g.version }
end
local codesKey = KEYS[9]
if ARGV[8] == "set" then
  local owner = redis.call("HGET", codesKey, ARGV[9])
  if owner and owner ~= g.id then return { CODE.CODE_TAKEN } end
end

local previousVisibility = g.visibility
if ARGV[7] ~= "" then
  local visKey = KEYS[10]
  redis.call("ZREM", g.ixVis, g.id)
  redis.call("ZADD", visKey, g.createdAt, g.id)
  redis.call("HSET", gameKey, "visibility", ARGV[7], "ixVis", visKey)
end
if ARGV[6] ~= "" then writeLabels(g, cjson.decode(ARGV[6]), true) end
if ARGV[5] ~= "" then redis.call("HSET", gameKey, "settings", ARGV[5]) end
if ARGV[8] ~= "" then releaseCode(g, codesKey) end
if ARGV[8] == "clear" then redis.call("HDEL", gameKey, "joinCode") end
if ARGV[8] == "set" then
  redis.call("HSET", gameKey, "joinCode", ARGV[9], "ixCode", codesKey)
  redis.call("HSET", codesKey, ARGV[9], g.id)
end
bump(g, ARGV[4])
touchGame(ARGV[4], ARGV[10])
local reply = okReply(g.state)
if ARGV[7] ~= "" and ARGV[7] ~= previousVisibility then reply[4] = { previousVisibility } end
return reply
