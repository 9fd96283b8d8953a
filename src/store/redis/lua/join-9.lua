--[[
  Seats a player and their party, all or none, checking in the memory store's order:
  join code, the party unchanged since it was read, already joined (any of them), full
  (not all fit), joinable state. Filling the last seat applies the seatsFilled table. An
  unconfirmed seat is held until its reservation (in the deadline index).
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    KEYS[9] the party's hash (not read without ARGV[8])
    ARGV[1] party JSON: [[player id, player JSON, reservation ("" = confirmed, else deadline or "-")], …], the caller first
    ARGV[2] "1" when a join code was given   ARGV[3] join code
    ARGV[4] joinable table JSON   ARGV[5] seatsFilled table JSON
    ARGV[6] now (epoch ms)   ARGV[7] state timeouts JSON (state -> ms)
    ARGV[8] the party's version the seats were read at ("" = a player alone)
  Output: {0, hash, previous state} | {CODE.NOT_FOUND|WRONG_JOIN_CODE|ALREADY_JOINED|FULL|PARTY_GONE}
          | {CODE.NOT_JOINABLE, state} | {CODE.PARTY_CHANGED, version}
]]
-- @include game
-- @include seat
-- @include party
local g = readGame()
if not g then return { CODE.NOT_FOUND } end
if g.joinCode and (ARGV[2] ~= "1" or ARGV[3] ~= g.joinCode) then return { CODE.WRONG_JOIN_CODE } end
local guard = partyGuardRefusal(KEYS[9], ARGV[8])
if guard then return guard end
local party = cjson.decode(ARGV[1])
local refusal = partyRefusal(g, party, ARGV[4])
if refusal then return refusal end
local previous = seatParty(g, party, ARGV[5], ARGV[6], ARGV[7])
markPartySeated(KEYS[9], ARGV[8], g.id, ARGV[6])
return loadedReply(g, previous)
