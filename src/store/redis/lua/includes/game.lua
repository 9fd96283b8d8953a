--[[
  Shared by the mutation scripts (create, join, leave, update, delete).
  Fixed key layout: KEYS[1] game hash, KEYS[2] free-seats index,
  KEYS[3..7] state indexes in STATE_NAMES order (STATE_NAMES and CODE are generated
  from the TypeScript enums when the scripts are loaded).
  Game hash fields: scalars, JSON blobs written by TypeScript and never re-encoded here
  (settings, labels, result, one `p:<playerId>` per player), `pids` (JSON array of player
  ids in seating order) and the static index keys the game is in (ixVis, ixRegion, ixLbl).
]]
local gameKey = KEYS[1]
local freeKey = KEYS[2]

local function stateKey(state)
  for i, name in ipairs(STATE_NAMES) do
    if name == state then return KEYS[2 + i] end
  end
  error("unknown game state " .. tostring(state))
end

-- Returns the hash as a field -> value table, or nil when the game does not exist.
local function readGame()
  local flat = redis.call("HGETALL", gameKey)
  if #flat == 0 then return nil end
  local g = {}
  for i = 1, #flat, 2 do g[flat[i]] = flat[i + 1] end
  return g
end

-- cjson encodes an empty table as {}; the hash always holds arrays as arrays.
local function encodeList(t)
  if #t == 0 then return "[]" end
  return cjson.encode(t)
end

local function moveState(g, newState)
  if newState == g.state then return end
  redis.call("ZREM", stateKey(g.state), g.id)
  redis.call("ZADD", stateKey(newState), g.createdAt, g.id)
end

local function bumpedVersion(g)
  return tostring(tonumber(g.version) + 1)
end

-- Removes the game from every index it can be in, then the hash itself.
local function removeGame(g)
  for i = 1, #STATE_NAMES do redis.call("ZREM", KEYS[2 + i], g.id) end
  redis.call("ZREM", freeKey, g.id)
  if g.ixVis then redis.call("ZREM", g.ixVis, g.id) end
  if g.ixRegion then redis.call("ZREM", g.ixRegion, g.id) end
  for _, key in ipairs(cjson.decode(g.ixLbl or "[]")) do redis.call("ZREM", key, g.id) end
  redis.call("DEL", gameKey)
end

-- previousState is the state before the change (nil on create).
local function okReply(previousState)
  return { CODE.OK, redis.call("HGETALL", gameKey), previousState }
end

-- The last state of a removed game, carrying the removal's version and time.
local function deletedReply(g, now)
  local previousState = g.state
  g.version = bumpedVersion(g)
  g.updatedAt = now
  local flat = {}
  for field, value in pairs(g) do
    flat[#flat + 1] = field
    flat[#flat + 1] = value
  end
  return { CODE.OK, flat, previousState }
end
