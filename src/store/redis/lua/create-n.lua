--[[
  Stores a new game (version 1), enters it in every index and records its creation as
  its first activity (lastActivityAt, expiresAt, deadline index).
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    KEYS[9..] static indexes the game belongs to (visibility, region, labels)
    ARGV[1] createdAt   ARGV[2] free seats   ARGV[3] state timeouts JSON (state -> ms)
    ARGV[4 .. 3+#static] score per static index, in KEYS order ("" = createdAt)
    ARGV[4+#static ..] field, value pairs of the hash (built by TypeScript, incl. id and state)
  Output: {0, hash as flat field/value list} (no previous state) | {CODE.ID_TAKEN}
]]
-- @include game
if redis.call("EXISTS", gameKey) == 1 then return { CODE.ID_TAKEN } end
local createdAt = ARGV[1]
local nStatic = #KEYS - 8
redis.call("HSET", gameKey, unpack(ARGV, 4 + nStatic))
local g = readGame()
redis.call("ZADD", stateKey(g.state), createdAt, g.id)
redis.call("ZADD", freeKey, ARGV[2], g.id)
for i = 1, nStatic do
  local score = ARGV[3 + i]
  if score == "" then score = createdAt end
  redis.call("ZADD", KEYS[8 + i], score, g.id)
end
touchGame(createdAt, ARGV[3])
return okReply()
