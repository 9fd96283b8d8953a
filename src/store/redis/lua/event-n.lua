--[[
  Applies one game-server event (see includes/event.lua).
  Input:
    KEYS[1] game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes, KEYS[8] deadline index
    KEYS[9] the game's tombstone key
    KEYS[10] event id key (only when ARGV[3] ~= ""), then the label indexes named by
             the mergeLabels entries
    ARGV[1] now (epoch ms)   ARGV[2] state timeouts JSON (state -> ms)
    ARGV[3] dedupe window in ms ("" = the event has no id)
    ARGV[4] stream entry id ("" = not from the stream)
    ARGV[5] effect kind, ARGV[6..] its arguments (applyEventTo's `a`)
  Output: applyEventTo's reply.
]]
-- @include game
-- @include event
local a = {}
for i = 6, #ARGV do a[#a + 1] = ARGV[i] end
local eventKey = nil
if ARGV[3] ~= "" then eventKey = KEYS[10] end
return applyEventTo(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], a, KEYS[9], eventKey)
