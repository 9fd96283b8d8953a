--[[
  Quick join: seats a party in the best fitting open public game of one type, or stores
  a new game with the party seated when none of the first `budget` candidates fits, nor
  any of a second walk driven by the filter's label index (filter.drive) — one
  step, so racing calls never overfill a game, and never create one while another fits.
  Input:
    KEYS[1] new game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    KEYS[9] the quick-join index to walk (the region's, or the whole type's)
    KEYS[10] the set of the caller's live games of the type (for the cap, when creating)
    KEYS[11] the party's hash (not read without ARGV[14])
    KEYS[12..] static indexes of the new game (visibility, region, labels)
    ARGV[1] party JSON: [[player id, player JSON, reservation], …], the caller first
    ARGV[2] filter JSON: {states: [state, …] (absent = any), labels: [{key, eq, ne, gt, gte, lt, lte, between}, …],
      drive: {key, min, max} (absent = no second walk: a label index and its ZRANGEBYSCORE bounds)}
    ARGV[3] prefer ("fewestFreeSeats" | "mostFreeSeats" | "oldest")   ARGV[4] scan budget
    ARGV[5] joinable table JSON   ARGV[6] seatsFilled table JSON
    ARGV[7] now (epoch ms)   ARGV[8] state timeouts JSON (state -> ms)
    ARGV[9] key prefix of the type's game hashes (a candidate's hash is prefix .. id)
    ARGV[10] new game's createdAt   ARGV[11] its free seats
    ARGV[12] most live games the caller may have created of the type ("0" = no cap)   ARGV[13] the caller's id
    ARGV[14] the party's version the seats were read at ("" = a player alone)
    ARGV[15 .. 14+#static] score per static index ("" = createdAt), then its field/value pairs
  Output: {0, hash, previous state} (seated in an existing game)
          | {CODE.CREATED, hash} (the new game, party seated) | {CODE.ID_TAKEN}
          | {CODE.TOO_MANY_GAMES, cap} (nothing fit, and the caller may not create another game)
          | {CODE.PARTY_GONE} | {CODE.PARTY_CHANGED, version} (the party is not as its seats were read)
]]
-- @include game
-- @include seat
-- @include candidates
-- @include creator
-- @include party
local guard = partyGuardRefusal(KEYS[11], ARGV[14])
if guard then return guard end
local party = cjson.decode(ARGV[1])
local filter = cjson.decode(ARGV[2])
local joinable = cjson.decode(ARGV[5])
-- cjson turns an empty JSON array into a table that is also empty: nothing to compare.
if type(filter.labels) ~= "table" then filter.labels = {} end
if filter.states == cjson.null then filter.states = nil end

for _, id in ipairs(candidates(KEYS[9], #party, ARGV[3], tonumber(ARGV[4]))) do
  local key = ARGV[9] .. id
  if candidateFits(key, party, filter, joinable) then
    -- The shared helpers act on gameKey: point it at the chosen game.
    gameKey = key
    local g = readGame()
    local previous = seatParty(g, party, ARGV[6], ARGV[7], ARGV[8])
    markPartySeated(KEYS[11], ARGV[14], id, ARGV[7])
    return loadedReply(g, previous)
  end
end

-- Nothing in free-seat order: a selective filter's games may all sort behind the budget.
if type(filter.drive) == "table" then
  local id = drivenCandidate(KEYS[9], filter.drive, party, filter, joinable, ARGV[3], tonumber(ARGV[4]), ARGV[9])
  if id then
    gameKey = ARGV[9] .. id
    local g = readGame()
    local previous = seatParty(g, party, ARGV[6], ARGV[7], ARGV[8])
    markPartySeated(KEYS[11], ARGV[14], id, ARGV[7])
    return loadedReply(g, previous)
  end
end

if redis.call("EXISTS", gameKey) == 1 then return { CODE.ID_TAKEN } end
local capped = creatorCapRefusal(KEYS[10], ARGV[9], ARGV[12])
if capped then return capped end
local nStatic = #KEYS - 11
local g = insertGame(ARGV[10], ARGV[11], 12, 15, 15 + nStatic, ARGV[8])
local newId = gameKey:sub(#ARGV[9] + 1)
if ARGV[12] ~= "0" then trackCreated(KEYS[10], newId) end
markPartySeated(KEYS[11], ARGV[14], newId, ARGV[7])
return { CODE.CREATED, flatten(g) }
