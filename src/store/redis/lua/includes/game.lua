--[[
  Shared by the mutation scripts (create, join, leave, update, delete, event, expire).
  Fixed key layout: KEYS[1] game hash, KEYS[2] free-seats index,
  KEYS[3..7] state indexes in STATE_NAMES order, KEYS[8] deadline index (STATE_NAMES
  and CODE are generated from the TypeScript enums when the scripts are loaded).
  Game hash fields: scalars; JSON written by TypeScript and never re-encoded here
  (settings, result, one `p:<playerId>` per player, one `l:<label>` per label);
  `r:<playerId>` for each unconfirmed seat (its reservation deadline, or "-" for none);
  `pids` (JSON array of player ids in seating order) and the static index keys the game
  is in (ixVis, ixRegion, ixLbl = JSON object label -> index key, ixQj = JSON array of
  quick-join index keys, ixCode = the type's join-code hash, ixGone = where removeGame
  leaves the tombstone; the `ix` prefix is theirs alone: list-n leaves such fields out); `waitIx` (the type's waiting-for-host index) exactly while a
  hosted game's host has not connected; `seq`, the last stream entry applied (events-n).
  QUICK_JOINABLE, PUBLIC and FREE_WEIGHT come from quick-join.ts the same way,
  TOMBSTONE_MS from deadlines.ts. Replies carry a game packed as one string (record.lua).
]]
-- @include record
-- @include entry-ids
-- @include sliced
-- Not constant: events-n points it at each event's game in turn.
local gameKey = KEYS[1]
local freeKey = KEYS[2]
local deadlineKey = KEYS[8]

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

--[[
  g.pids decoded, once per distinct value in a script call: one event reads it up to three
  times (quick-join state before and after, reservations). Read-only: the list is shared.
]]
local decodedPids = {}
local function pidList(g)
  local list = decodedPids[g.pids]
  if not list then
    list = cjson.decode(g.pids)
    decodedPids[g.pids] = list
  end
  return list
end

-- cjson encodes an empty table as {}; the hash always holds arrays as arrays.
local function encodeList(t)
  if #t == 0 then return "[]" end
  return cjson.encode(t)
end


-- Epoch ms as an integer string (tostring would switch to exponent notation).
local function msText(n)
  return string.format("%.0f", n)
end

--[[
  Index writes of many new games in one script call (batched match commits): one ZADD per
  index key for all of them, not one per game — each redis.call costs a script several µs.
  `batch` nil writes at once. A new game is in no index yet, so its removals are skipped;
  the adds are written by flushIndexes, after the call's other writes.
]]
local function newIndexBatch()
  return { adds = {}, keys = {} }
end

local function indexAdd(batch, key, score, member)
  if not batch then return redis.call("ZADD", key, score, member) end
  local list = batch.adds[key]
  if not list then
    list = {}
    batch.adds[key] = list
    batch.keys[#batch.keys + 1] = key
  end
  list[#list + 1] = score
  list[#list + 1] = member
end

local function indexRemove(batch, key, member)
  if not batch then redis.call("ZREM", key, member) end
end

local function flushIndexes(batch)
  -- Score/member pairs: an even slice keeps each pair whole.
  for _, key in ipairs(batch.keys) do callSliced("ZADD", key, batch.adds[key]) end
end

-- The rows of a host-aware table (HostTables JSON: {host = …, waiting = …}) that apply to
-- `g`, by whether its host has connected (rowsFor in event-effects.ts).
local function hostRows(g, tablesJson)
  local t = cjson.decode(tablesJson)
  if g.waitIx then return t.waiting end
  return t.host
end

-- Moves `g` from its state's index to `newState`'s and sets g.state (the caller writes the hash's field).
local function moveState(g, newState)
  if newState == g.state then return end
  redis.call("ZREM", stateKey(g.state), g.id)
  redis.call("ZADD", stateKey(newState), g.createdAt, g.id)
  g.state = newState
end

local function bumpedVersion(g)
  return tostring(tonumber(g.version) + 1)
end

-- A visible change: version + 1 at time `now`. With `fields` (field/value pairs the caller writes
-- next, as touchLoaded does), its fields are added there instead of written on their own.
local function bump(g, now, fields)
  g.version = bumpedVersion(g)
  g.updatedAt = now
  if not fields then return redis.call("HSET", gameKey, "version", g.version, "updatedAt", now) end
  fields[#fields + 1], fields[#fields + 2] = "version", g.version
  fields[#fields + 1], fields[#fields + 2] = "updatedAt", now
end

--[[
  Keeps the quick-join indexes named in ixQj in step with the game `g` (mirroring the
  hash): it is in them, scored free seats * FREE_WEIGHT + createdAt, exactly while it is
  PUBLIC, in a QUICK_JOINABLE state and has a free seat (isQuickJoinable in quick-join.ts).
  Called by touchLoaded, which every change ends with, so no script can forget it.
]]
-- Whether `g` belongs in its quick-join indexes and with what score; nil for a game in none.
local function quickJoinState(g)
  if not g.ixQj then return nil end
  local free = tonumber(g.capacity) - #pidList(g)
  -- A number: compared as is, formatted only when written (string.format costs µs).
  return { listed = g.visibility == PUBLIC and QUICK_JOINABLE[g.state] and free > 0, score = free * FREE_WEIGHT + tonumber(g.createdAt) }
end

-- `before`: quickJoinState as the game was read (the indexes then mirrored it); when nothing it
-- depends on changed, the indexes are left as they are (each ZADD costs a script several µs).
local function syncQuickJoin(g, batch, before)
  local now = quickJoinState(g)
  if not now then return end
  if before and before.listed == now.listed and before.score == now.score then return end
  for _, key in ipairs(cjson.decode(g.ixQj)) do
    if now.listed then
      indexAdd(batch, key, msText(now.score), g.id)
    else
      indexRemove(batch, key, g.id)
    end
  end
end

-- A script's state timeouts (the same JSON for each of its games), decoded once.
local timeoutTables = {}
local function timeoutsOf(timeoutsJson)
  local t = timeoutTables[timeoutsJson]
  if not t then
    t = cjson.decode(timeoutsJson)
    timeoutTables[timeoutsJson] = t
  end
  return t
end

-- Drops the game's join code from the type's code hash `codesKey`, if it still names this game.
local function releaseCode(g, codesKey)
  if g.joinCode and codesKey and redis.call("HGET", codesKey, g.joinCode) == g.id then
    redis.call("HDEL", codesKey, g.joinCode)
  end
end

--[[
  Activity at `now` (after the script's other writes) on `g`, which must mirror the hash: lastActivityAt = now, expiresAt =
  now + the timeout of the game's current state (timeoutsJson: state -> ms; no entry =
  no timeout), and the deadline index gets the earliest of expiresAt and the
  reservations of unconfirmed seats. The creator's seat never counts: expiry never frees
  it (same rule as deadlineOf in deadlines.ts).
]]
local function touchLoaded(g, now, timeoutsJson, batch, fields, qjBefore)
  local timeout = timeoutsOf(timeoutsJson)[g.state]
  local deadline = nil
  -- The caller's own field writes go in the same HSET.
  local writes = fields or {}
  writes[#writes + 1] = "lastActivityAt"
  writes[#writes + 1] = now
  if timeout then
    deadline = tonumber(now) + timeout
    g.expiresAt = msText(deadline)
    writes[#writes + 1] = "expiresAt"
    writes[#writes + 1] = g.expiresAt
    redis.call("HSET", gameKey, unpack(writes))
  else
    g.expiresAt = nil
    redis.call("HSET", gameKey, unpack(writes))
    redis.call("HDEL", gameKey, "expiresAt")
  end
  g.lastActivityAt = now
  -- While the host is away nobody else can connect, so reservations do not run (deadlineOf).
  if not g.waitIx then
    for _, id in ipairs(pidList(g)) do
      local reserved = tonumber(g["r:" .. id])
      if reserved and id ~= g.creatorId and (not deadline or reserved < deadline) then deadline = reserved end
    end
  end
  if deadline then
    indexAdd(batch, deadlineKey, deadline, g.id)
  else
    indexRemove(batch, deadlineKey, g.id)
  end
  syncQuickJoin(g, batch, qjBefore)
end

-- touchLoaded on the game as stored now, for scripts that do not keep `g` in step with their writes.
local function touchGame(now, timeoutsJson)
  touchLoaded(readGame(), now, timeoutsJson)
end

-- Frees the seats of `ids` (a list of player ids) and applies the seatFreed tables
-- (HostTables JSON), keeping `g` in step (its state too: read the previous one first).
-- The caller bumps the version and records activity.
local function removePlayers(g, ids, seatFreedJson)
  local gone = {}
  for _, id in ipairs(ids) do
    gone[id] = true
    redis.call("HDEL", gameKey, "p:" .. id, "r:" .. id)
    g["p:" .. id] = nil
    g["r:" .. id] = nil
  end
  local pids = {}
  for _, id in ipairs(cjson.decode(g.pids)) do
    if not gone[id] then pids[#pids + 1] = id end
  end
  local state = hostRows(g, seatFreedJson)[g.state] or g.state
  g.pids = encodeList(pids)
  redis.call("HSET", gameKey, "pids", g.pids, "state", state)
  redis.call("ZADD", freeKey, tonumber(g.capacity) - #pids, g.id)
  moveState(g, state)
end

-- Sets a field of `g` and of the hash; with `fields` (the caller's HSET to come), the write is added there.
local function setField(g, fields, field, value)
  g[field] = value
  if fields then
    fields[#fields + 1], fields[#fields + 2] = field, value
  else
    redis.call("HSET", gameKey, field, value)
  end
end

--[[
  Writes labels and keeps their indexes in step. `entries` (decoded JSON from
  labelWrites in codec.ts): {label, value JSON, KEYS position of its index (0 = not
  indexed), score ("" = createdAt)}. With `replace`, labels not in `entries` are dropped
  first (update); without, the others are kept (merge). With `fields` (the caller's HSET
  to come, as touchLoaded's), value writes are added there instead of written on their own.
  Returns true when a stored value changed.
]]
local function writeLabels(g, entries, replace, fields)
  local changed = false
  if not replace and (g.ixLbl == nil or g.ixLbl == "{}") then
    local indexed = false
    for _, e in ipairs(entries) do
      if e[3] > 0 then indexed = true end
    end
    -- Nothing indexed before or now (the common metadata merge): the index bookkeeping is left alone.
    if not indexed then
      for _, e in ipairs(entries) do
        if g["l:" .. e[1]] ~= e[2] then
          setField(g, fields, "l:" .. e[1], e[2])
          changed = true
        end
      end
      return changed
    end
  end
  local ix = cjson.decode(g.ixLbl or "{}")
  if replace then
    local given = {}
    for _, e in ipairs(entries) do given[e[1]] = true end
    for field in pairs(g) do
      if string.sub(field, 1, 2) == "l:" and not given[string.sub(field, 3)] then
        redis.call("HDEL", gameKey, field)
        g[field] = nil
        changed = true
      end
    end
    for label, key in pairs(ix) do
      if not given[label] then
        redis.call("ZREM", key, g.id)
        ix[label] = nil
      end
    end
  end
  for _, e in ipairs(entries) do
    local label, value, position, score = e[1], e[2], e[3], e[4]
    if g["l:" .. label] ~= value then
      setField(g, fields, "l:" .. label, value)
      changed = true
    end
    local newKey = nil
    if position > 0 then newKey = KEYS[position] end
    if ix[label] and ix[label] ~= newKey then redis.call("ZREM", ix[label], g.id) end
    ix[label] = newKey
    if newKey then
      if score == "" then score = g.createdAt end
      redis.call("ZADD", newKey, score, g.id)
    end
  end
  -- An empty table encodes as {}, which is right for this object.
  local encoded = cjson.encode(ix)
  if encoded ~= g.ixLbl then setField(g, fields, "ixLbl", encoded) end
  return changed
end

--[[
  The host is on the game server (any of its state events says so): the game leaves the
  waiting index, and its unconfirmed seats are held for `reservationMs` from `now`, since
  only now can those players connect. Returns whether anything changed. The caller bumps.
]]
local function connectHost(g, now, reservationMs)
  if not g.waitIx then return false end
  redis.call("ZREM", g.waitIx, g.id)
  redis.call("HDEL", gameKey, "waitIx")
  g.waitIx = nil
  local heldUntil = msText(tonumber(now) + tonumber(reservationMs))
  for _, id in ipairs(pidList(g)) do
    if g["r:" .. id] then
      redis.call("HSET", gameKey, "r:" .. id, heldUntil)
      g["r:" .. id] = heldUntil
    end
  end
  return true
end

-- Removes the game from every index it can be in, then the hash itself, leaving a
-- tombstone so late stream entries for it are recognised (GAME_TOMBSTONE_MS).
local function removeGame(g)
  for i = 1, #STATE_NAMES do redis.call("ZREM", KEYS[2 + i], g.id) end
  redis.call("ZREM", freeKey, g.id)
  redis.call("ZREM", deadlineKey, g.id)
  if g.ixVis then redis.call("ZREM", g.ixVis, g.id) end
  if g.ixRegion then redis.call("ZREM", g.ixRegion, g.id) end
  for _, key in pairs(cjson.decode(g.ixLbl or "{}")) do redis.call("ZREM", key, g.id) end
  for _, key in ipairs(cjson.decode(g.ixQj or "[]")) do redis.call("ZREM", key, g.id) end
  if g.waitIx then redis.call("ZREM", g.waitIx, g.id) end
  releaseCode(g, g.ixCode)
  redis.call("DEL", gameKey)
  if g.ixGone then redis.call("SET", g.ixGone, "1", "PX", TOMBSTONE_MS) end
end

-- The game as stored, packed (record.lua); previousState is the state before the change (nil on create).
local function okReply(previousState)
  return { CODE.OK, packRecord(redis.call("HGETALL", gameKey)), previousState }
end

-- The game `g` packed, for scripts that keep it in step with their writes (saves reading the hash back).
local function flatten(g)
  return packTable(g)
end

-- okReply for a script that kept `g` in step with every write: each HGETALL of a game costs
-- Redis ~13 µs of reply conversion, the largest part of a join's or a commit's time.
local function loadedReply(g, previousState)
  return { CODE.OK, flatten(g), previousState }
end

-- The last state of a removed game, carrying the removal's version and time.
local function deletedReply(g, now)
  local previousState = g.state
  g.version = bumpedVersion(g)
  g.updatedAt = now
  return { CODE.OK, flatten(g), previousState }
end
