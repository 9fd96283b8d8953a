--[[
  Applies one game-server event (an EventEffect) and records the activity; with an
  event id, remembers it for the dedupe window in the same step; with a stream entry id,
  remembers it as the game's last applied entry (field `seq`), so a redelivered entry —
  one at or before it — is a duplicate. A refusal writes nothing, the ids included.
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    KEYS[9] the game's tombstone key
    KEYS[10] event id key (only when ARGV[3] ~= ""), then the label indexes named by
             the mergeLabels entries
    ARGV[1] now (epoch ms)   ARGV[2] state timeouts JSON (state -> ms)
    ARGV[3] dedupe window in ms ("" = the event has no id)
    ARGV[4] stream entry id ("" = not from the stream)
    ARGV[5] effect kind, then per kind:
      transition:    ARGV[6] table JSON   ARGV[7] result JSON ("" = none)   ARGV[8] "1" = confirm every seat
                     ARGV[9] seat reservation ms (for seats waiting on a host that has just connected)
      removePlayer:  ARGV[6] player id    ARGV[7] seatFreed HostTables JSON
      confirmPlayer: ARGV[6] player id
      mergeLabels:   ARGV[6] label entries JSON (see writeLabels)
      touch:         nothing
  Output: {0, hash, previous state} | {CODE.UNCHANGED} | {CODE.DUPLICATE} | {CODE.REPLAYED, hash, state}
          | {CODE.GONE} | {CODE.NOT_FOUND}
          | {CODE.INVALID_TRANSITION, state}
  TypeScript twin: applyEvent in memory-store.ts (with applyEffect in event-effects.ts).
]]
-- @include game
local now = ARGV[1]
local entryId = ARGV[4]
local g = readGame()
if not g then
  if redis.call("EXISTS", KEYS[9]) == 1 then return { CODE.GONE } end
  return { CODE.NOT_FOUND }
end
if entryId ~= "" and g.seq and not entryAfter(entryId, g.seq) then
  -- The last applied entry again: its worker may have died before publishing the change.
  if entryId == g.seq then return { CODE.REPLAYED, flatten(g), g.state } end
  return { CODE.DUPLICATE }
end
local eventKey = nil
if ARGV[3] ~= "" then
  eventKey = KEYS[10]
  if redis.call("EXISTS", eventKey) == 1 then return { CODE.DUPLICATE } end
end
local previousState = g.state
-- Effects keep `g` in step with what they write, so the reply needs no second read;
-- one that cannot (a freed seat) asks for a reload.
local reload = false

-- Each returns whether something visible changed, or a refusal reply before any write.
local effects = {}

function effects.transition()
  local to = cjson.decode(ARGV[6])[g.state]
  if not to then return { CODE.INVALID_TRANSITION, g.state } end
  local changed = false
  if to ~= g.state then
    redis.call("HSET", gameKey, "state", to)
    moveState(g, to)
    g.state = to
    changed = true
  end
  if connectHost(g, now, ARGV[9]) then changed = true end
  -- TypeScript writes results as canonical JSON, so equal text means the same result.
  if ARGV[7] ~= "" and ARGV[7] ~= g.result then
    redis.call("HSET", gameKey, "result", ARGV[7])
    g.result = ARGV[7]
    changed = true
  end
  if ARGV[8] == "1" then
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
  local id = ARGV[6]
  -- The creator's seat is never freed by a disconnect: the game goes instead, when it expires.
  if id == g.creatorId or not g["p:" .. id] then return false end
  -- No row: this state keeps its roster (a finished game).
  if not hostRows(g, ARGV[7])[g.state] then return false end
  removePlayers(g, { id }, ARGV[7])
  reload = true
  return true
end

function effects.confirmPlayer()
  local id = ARGV[6]
  if not g["p:" .. id] or not g["r:" .. id] then return false end
  redis.call("HDEL", gameKey, "r:" .. id)
  g["r:" .. id] = nil
  return true
end

function effects.mergeLabels()
  return writeLabels(g, cjson.decode(ARGV[6]), false)
end

function effects.touch()
  return false
end

local effect = effects[ARGV[5]]
if not effect then error("unknown event effect " .. tostring(ARGV[5])) end
local changed = effect()
if type(changed) == "table" then return changed end

if eventKey then redis.call("SET", eventKey, "1", "PX", ARGV[3]) end
if entryId ~= "" then
  redis.call("HSET", gameKey, "seq", entryId)
  g.seq = entryId
end
if reload then g = readGame() end
if changed then bump(g, now) end
touchLoaded(g, now, ARGV[2])
if changed then return { CODE.OK, flatten(g), previousState } end
return { CODE.UNCHANGED }
