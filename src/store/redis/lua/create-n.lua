--[[
  Stores a new game (version 1), enters it in every index, registers its join code and
  records its creation as its first activity (lastActivityAt, expiresAt, deadline index).
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    KEYS[9] the type's join-code hash   KEYS[10] the set of the creator's live games of the type
    KEYS[11..] static indexes the game belongs to (visibility, region, labels)
    ARGV[1] createdAt   ARGV[2] free seats   ARGV[3] state timeouts JSON (state -> ms)
    ARGV[4] game id   ARGV[5] join code ("" = none)
    ARGV[6] most live games the creator may have of the type ("0" = no cap)   ARGV[7] creator id (unused: the set is theirs)
    ARGV[8 .. 7+#static] score per static index, in KEYS order ("" = createdAt)
    ARGV[8+#static ..] field, value pairs of the hash (built by TypeScript, incl. id and state)
  Output: {0, the game packed (record.lua)} (no previous state) | {CODE.ID_TAKEN} | {CODE.CODE_TAKEN}
          | {CODE.TOO_MANY_GAMES, cap}
]]
-- @include game
-- @include seat
-- @include creator
if redis.call("EXISTS", gameKey) == 1 then return { CODE.ID_TAKEN } end
local codesKey, code = KEYS[9], ARGV[5]
-- Checked before any write: a refused create leaves nothing behind.
if code ~= "" and redis.call("HEXISTS", codesKey, code) == 1 then return { CODE.CODE_TAKEN } end
local gamePrefix = string.sub(gameKey, 1, #gameKey - #ARGV[4])
local capped = creatorCapRefusal(KEYS[10], gamePrefix, ARGV[6])
if capped then return capped end
local nStatic = #KEYS - 10
local g = insertGame(ARGV[1], ARGV[2], 11, 8, 8 + nStatic, ARGV[3])
if code ~= "" then redis.call("HSET", codesKey, code, ARGV[4]) end
if ARGV[6] ~= "0" then trackCreated(KEYS[10], ARGV[4]) end
return loadedReply(g)
