--[[
  One game-server event (an EventEffect) applied to the game at `gameKey` (game.lua), for
  events-n (a batch, of one event or many). Records the activity; with an event id key,
  remembers the id for the dedupe window in the same step; with a stream entry id,
  remembers it as the game's last applied entry (field `seq`), so a redelivered entry —
  one at or before it — is a duplicate. A refusal writes nothing, the ids included.
  applyEventTo(now, timeoutsJson, window, entryId, kind, a, tombstoneKey, eventKey):
    window: dedupe window in ms (used when eventKey is given); entryId "" = not from the stream;
    a: the effect's arguments, per kind:
      transition:    a[1] table JSON   a[2] result JSON ("" = none)   a[3] "1" = confirm every seat
                     a[4] seat reservation ms (for seats waiting on a host that has just connected)
      removePlayer:  a[1] player id    a[2] seatFreed HostTables JSON
      confirmPlayer: a[1] player id
      mergeLabels:   a[1] label entries JSON (see writeLabels; positions index the call's KEYS)
      touch:         nothing
  Returns {0, hash, previous state} | {CODE.UNCHANGED} | {CODE.DUPLICATE} | {CODE.REPLAYED, hash, state}
          | {CODE.GONE} | {CODE.NOT_FOUND} | {CODE.INVALID_TRANSITION, state}
  TypeScript twin: applyEvent in memory-store.ts (with applyEffect in event-effects.ts).
]]

-- Each returns whether something visible changed, or a refusal reply before any write.
-- They keep `g` in step with what they write (the reply is made from it). `fields`: the
-- event's HSET to come (touchLoaded's), where scalar writes go instead of an HSET each.
local eventEffects = {}

function eventEffects.transition(g, a, now, fields)
  local to = cjson.decode(a[1])[g.state]
  if not to then return { CODE.INVALID_TRANSITION, g.state } end
  local changed = false
  if to ~= g.state then
    fields[#fields + 1], fields[#fields + 2] = "state", to
    moveState(g, to)
    changed = true
  end
  if connectHost(g, now, a[4]) then changed = true end
  -- TypeScript writes results as canonical JSON, so equal text means the same result.
  if a[2] ~= "" and a[2] ~= g.result then
    setField(g, fields, "result", a[2])
    changed = true
  end
  if a[3] == "1" then
    for _, id in ipairs(pidList(g)) do
      if g["r:" .. id] then
        redis.call("HDEL", gameKey, "r:" .. id)
        g["r:" .. id] = nil
        changed = true
      end
    end
  end
  return changed
end

function eventEffects.removePlayer(g, a)
  local id = a[1]
  -- The creator's seat is never freed by a disconnect: the game goes instead, when it expires.
  if id == g.creatorId or not g["p:" .. id] then return false end
  -- No row: this state keeps its roster (a finished game).
  if not hostRows(g, a[2])[g.state] then return false end
  removePlayers(g, { id }, a[2])
  return true
end

function eventEffects.confirmPlayer(g, a)
  local id = a[1]
  if not g["p:" .. id] or not g["r:" .. id] then return false end
  redis.call("HDEL", gameKey, "r:" .. id)
  g["r:" .. id] = nil
  return true
end

function eventEffects.mergeLabels(g, a, _, fields)
  return writeLabels(g, cjson.decode(a[1]), false, fields)
end

function eventEffects.touch()
  return false
end

-- The event id key the event being applied claimed before its effect ran; events-n releases
-- it when the effect raises, so a retry of the entry is not taken for a duplicate.
local claimedEventKey = nil

local function applyEventTo(now, timeoutsJson, window, entryId, kind, a, tombstoneKey, eventKey)
  claimedEventKey = nil
  local g = readGame()
  if not g then
    if redis.call("EXISTS", tombstoneKey) == 1 then return { CODE.GONE } end
    return { CODE.NOT_FOUND }
  end
  if entryId ~= "" and g.seq and not entryAfter(entryId, g.seq) then
    -- The last applied entry again: its worker may have died before publishing the change.
    if entryId == g.seq then return { CODE.REPLAYED, flatten(g), g.state } end
    return { CODE.DUPLICATE }
  end
  -- Claimed before the effect and released when it refuses or raises: one call, where a check
  -- and a later write were two.
  if eventKey then
    if not redis.call("SET", eventKey, "1", "PX", window, "NX") then return { CODE.DUPLICATE } end
    claimedEventKey = eventKey
  end
  local effect = eventEffects[kind]
  if not effect then error("unknown event effect " .. tostring(kind)) end
  local previousState = g.state
  local qjBefore = quickJoinState(g)
  -- The effect's scalar writes, the entry id and the version go in touchLoaded's HSET: one
  -- write of the hash per event.
  local fields = {}
  local changed = effect(g, a, now, fields)
  if type(changed) == "table" then
    if eventKey then redis.call("DEL", eventKey) end
    claimedEventKey = nil
    return changed
  end
  -- The effect is written from here on: a failure past this point must not free its id for a second application.
  claimedEventKey = nil
  if entryId ~= "" then
    fields[#fields + 1], fields[#fields + 2] = "seq", entryId
    g.seq = entryId
  end
  if changed then bump(g, now, fields) end
  touchLoaded(g, now, timeoutsJson, nil, fields, qjBefore)
  if changed then return { CODE.OK, flatten(g), previousState } end
  return { CODE.UNCHANGED }
end
