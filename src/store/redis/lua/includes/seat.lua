--[[
  Seating and storing games, shared by join, create and quickjoin (after `game`).
  A party is a list of {player id, player JSON, reservation ("" = confirmed seat, else
  its deadline or "-" for none)}, the caller first.
]]

-- The refusal for seating `party` in `g`, in the memory store's order after the join
-- code (already joined, full, not joinable), or nil when every seat can be taken.
local function partyRefusal(g, party, joinableJson)
  for _, p in ipairs(party) do
    if g["p:" .. p[1]] then return { CODE.ALREADY_JOINED } end
  end
  if tonumber(g.capacity) - #cjson.decode(g.pids) < #party then return { CODE.FULL } end
  if not cjson.decode(joinableJson)[g.state] then return { CODE.NOT_JOINABLE, g.state } end
  return nil
end

--[[
  Seats every member of `party` in `g` (gameKey must be its hash; partyRefusal passed):
  filling the last seat applies the seatsFilled table (JSON), the version is bumped and
  the activity recorded, `g` kept in step (reply with loadedReply). Returns the state before.
]]
local function seatParty(g, party, seatsFilledJson, now, timeoutsJson)
  local pids = cjson.decode(g.pids)
  local fields = {}
  for _, p in ipairs(party) do
    pids[#pids + 1] = p[1]
    fields[#fields + 1] = "p:" .. p[1]
    fields[#fields + 1] = p[2]
    if p[3] ~= "" then
      fields[#fields + 1] = "r:" .. p[1]
      fields[#fields + 1] = p[3]
    end
  end
  local free = tonumber(g.capacity) - #pids
  local previous = g.state
  local state = g.state
  if free == 0 then state = cjson.decode(seatsFilledJson)[g.state] or g.state end
  g.pids = encodeList(pids)
  redis.call("HSET", gameKey, "pids", g.pids, "state", state, unpack(fields))
  for i = 1, #fields, 2 do g[fields[i]] = fields[i + 1] end
  -- The version goes in touchLoaded's HSET.
  local bumped = {}
  bump(g, now, bumped)
  redis.call("ZADD", freeKey, free, g.id)
  moveState(g, state)
  touchLoaded(g, now, timeoutsJson, nil, bumped)
  return previous
end

--[[
  Stores a new game at gameKey (which must not exist) from the field/value pairs
  ARGV[fieldsAt..], enters it in its state and free-seats indexes and in the static
  indexes KEYS[firstStatic..] (scores ARGV[scoresAt..], "" = createdAt), and records its
  creation as its first activity (which also lists it for quick join). Returns it, in step with the hash.
  `within` (optional) is for a script storing several games: where this one's static keys and
  fields end (lastStatic, lastField; else at the end of KEYS and ARGV) and the index batch
  its index writes go to (see newIndexBatch).
]]
local function insertGame(createdAt, free, firstStatic, scoresAt, fieldsAt, timeoutsJson, within)
  local lastStatic, lastField, batch = #KEYS, #ARGV, nil
  if within then lastStatic, lastField, batch = within.lastStatic, within.lastField, within.index end
  redis.call("HSET", gameKey, unpack(ARGV, fieldsAt, lastField))
  -- A new hash holds exactly these fields: no need to read it back.
  local g = {}
  for i = fieldsAt, lastField, 2 do g[ARGV[i]] = ARGV[i + 1] end
  indexAdd(batch, stateKey(g.state), createdAt, g.id)
  if g.waitIx then indexAdd(batch, g.waitIx, createdAt, g.id) end
  indexAdd(batch, freeKey, free, g.id)
  for i = 0, lastStatic - firstStatic do
    local score = ARGV[scoresAt + i]
    if score == "" then score = createdAt end
    indexAdd(batch, KEYS[firstStatic + i], score, g.id)
  end
  touchLoaded(g, createdAt, timeoutsJson, batch)
  return g
end
