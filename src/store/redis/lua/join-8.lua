--[[
  Seats a player, checking in the memory store's order: join code, already joined,
  full, joinable state. Filling the last seat applies the seatsFilled table. An
  unconfirmed seat is held until its reservation (in the deadline index).
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    ARGV[1] player id   ARGV[2] player JSON   ARGV[3] reservation ("" = confirmed seat, else deadline or "-")
    ARGV[4] "1" when a join code was given   ARGV[5] join code
    ARGV[6] joinable table JSON   ARGV[7] seatsFilled table JSON
    ARGV[8] now (epoch ms)   ARGV[9] state timeouts JSON (state -> ms)
  Output: {0, hash, previous state} | {CODE.NOT_FOUND|WRONG_JOIN_CODE|ALREADY_JOINED|FULL} | {CODE.NOT_JOINABLE, state}
]]
-- @include game
local g = readGame()
if not g then return { CODE.NOT_FOUND } end
local playerId = ARGV[1]
if g.joinCode and (ARGV[4] ~= "1" or ARGV[5] ~= g.joinCode) then return { CODE.WRONG_JOIN_CODE } end
if g["p:" .. playerId] then return { CODE.ALREADY_JOINED } end
local pids = cjson.decode(g.pids)
local capacity = tonumber(g.capacity)
if capacity - #pids <= 0 then return { CODE.FULL } end
if not cjson.decode(ARGV[6])[g.state] then return { CODE.NOT_JOINABLE, g.state } end

pids[#pids + 1] = playerId
local free = capacity - #pids
local state = g.state
if free == 0 then state = cjson.decode(ARGV[7])[g.state] or g.state end
redis.call("HSET", gameKey, "p:" .. playerId, ARGV[2], "pids", encodeList(pids), "state", state)
if ARGV[3] ~= "" then redis.call("HSET", gameKey, "r:" .. playerId, ARGV[3]) end
bump(g, ARGV[8])
redis.call("ZADD", freeKey, free, g.id)
moveState(g, state)
touchGame(ARGV[8], ARGV[9])
return okReply(g.state)
