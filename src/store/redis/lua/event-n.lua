--[[
  Applies one game-server event (an EventEffect) and records the activity; with an
  event id, remembers it for the dedupe window in the same step. A refusal writes
  nothing, the event id included.
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    KEYS[9] event id key (only when ARGV[3] ~= ""), then the label indexes named by
            the mergeLabels entries
    ARGV[1] now (epoch ms)   ARGV[2] state timeouts JSON (state -> ms)
    ARGV[3] dedupe window in ms ("" = the event has no id)
    ARGV[4] effect kind, then per kind:
      transition:    ARGV[5] table JSON   ARGV[6] result JSON ("" = none)   ARGV[7] "1" = confirm every seat
      removePlayer:  ARGV[5] player id    ARGV[6] seatFreed table JSON
      confirmPlayer: ARGV[5] player id
      mergeLabels:   ARGV[5] label entries JSON (see writeLabels)
      touch:         nothing
  Output: {0, hash, previous state} | {CODE.UNCHANGED} | {CODE.DUPLICATE} | {CODE.NOT_FOUND}
          | {CODE.INVALID_TRANSITION, state}
]]
-- @include game
local now = ARGV[1]
local eventKey = nil
if ARGV[3] ~= "" then
  eventKey = KEYS[9]
  if redis.call("EXISTS", eventKey) == 1 then return { CODE.DUPLICATE } end
end
local g = readGame()
if not g then return { CODE.NOT_FOUND } end
local previousState = g.state
-- Effects keep `g` in step with what they write, so the reply needs no second read;
-- one that cannot (a freed seat) asks for a reload.
local reload = false

-- Each returns whether something visible changed, or a refusal reply before any write.
local effects = {}

function effects.transition()
  local to = cjson.decode(ARGV[5])[g.state]
  if not to then return { CODE.INVALID_TRANSITION, g.state } end
  local changed = false
  if to ~= g.state then
    redis.call("HSET", gameKey, "state", to)
    moveState(g, to)
    g.state = to
    changed = true
  end
  -- TypeScript writes results as canonical JSON, so equal text means the same result.
  if ARGV[6] ~= "" and ARGV[6] ~= g.result then
    redis.call("HSET", gameKey, "result", ARGV[6])
    g.result = ARGV[6]
    changed = true
  end
  if ARGV[7] == "1" then
    for _, id in ipairs(cjson.decode(g.pids)) do
      if g["r:" .. id] then
        redis.call("HDEL", gameKey, "r:" .. id)
        g["r:" .. id] = nil
        changed = true
      end
    end
  end
  return changed
end

function effects.removePlayer()
  local id = ARGV[5]
  -- The creator's seat is never freed by a disconnect: the game goes instead, when it expires.
  if id == g.creatorId or not g["p:" .. id] then return false end
  removePlayers(g, { id }, ARGV[6])
  reload = true
  return true
end

function effects.confirmPlayer()
  local id = ARGV[5]
  if not g["p:" .. id] or not g["r:" .. id] then return false end
  redis.call("HDEL", gameKey, "r:" .. id)
  g["r:" .. id] = nil
  return true
end

function effects.mergeLabels()
  return writeLabels(g, cjson.decode(ARGV[5]), false)
end

function effects.touch()
  return false
end

local effect = effects[ARGV[4]]
if not effect then error("unknown event effect " .. tostring(ARGV[4])) end
local changed = effect()
if type(changed) == "table" then return changed end

if eventKey then redis.call("SET", eventKey, "1", "PX", ARGV[3]) end
if reload then g = readGame() end
if changed then bump(g, now) end
touchLoaded(g, now, ARGV[2])
if changed then return { CODE.OK, flatten(g), previousState } end
return { CODE.UNCHANGED }
