--[[
  Deletes a game and removes it from every index.
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    ARGV[1] "1" when only the creator may delete (a non-admin actor), else "0"
    ARGV[2] actor id   ARGV[3] now (epoch ms)
  Output: {0, last state of the hash with version + 1, its state} | {CODE.NOT_FOUND} | {CODE.NOT_CREATOR}
]]
-- @include game
local g = readGame()
if not g then return { CODE.NOT_FOUND } end
if ARGV[1] == "1" and ARGV[2] ~= g.creatorId then return { CODE.NOT_CREATOR } end
removeGame(g)
return deletedReply(g, ARGV[3])
