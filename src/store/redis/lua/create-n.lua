--[[
  Stores a new game (version 1) and enters it in every index.
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes
    KEYS[8..] static indexes the game belongs to (visibility, region, labels)
    ARGV[1] createdAt   ARGV[2] free seats
    ARGV[3 .. 2+#static] score per static index, in KEYS order ("" = createdAt)
    ARGV[3+#static ..] field, value pairs of the hash (built by TypeScript, incl. id and state)
  Output: {0, hash as flat field/value list} (no previous state) | {CODE.ID_TAKEN}
]]
-- @include game
if redis.call("EXISTS", gameKey) == 1 then return { CODE.ID_TAKEN } end
local createdAt = ARGV[1]
local nStatic = #KEYS - 7
redis.call("HSET", gameKey, unpack(ARGV, 3 + nStatic))
local g = readGame()
redis.call("ZADD", stateKey(g.state), createdAt, g.id)
redis.call("ZADD", freeKey, ARGV[2], g.id)
for i = 1, nStatic do
  local score = ARGV[2 + i]
  if score == "" then score = createdAt end
  redis.call("ZADD", KEYS[7 + i], score, g.id)
end
return okReply()
