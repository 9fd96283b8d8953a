--[[
  Applies a batch of game-server events of one game type, in order, in one call: the
  call's fixed cost (and the client's per-command work) is paid once per batch instead of
  once per event. Each event is applied by applyEventTo (includes/event.lua); applyEvent is a batch of one. An
  event that raises an error is reported and the game's later events in the batch are
  held back unapplied, so nothing of a game is applied past one that must be retried.
  Input:
    KEYS[1] the first event's game hash, KEYS[2] free-seats index, KEYS[3..7] state indexes,
    KEYS[8] deadline index, KEYS[9..] each event's game hash, tombstone key, event id key
    and label indexes (each key once; the events name them by position)
    ARGV[1] state timeouts JSON (state -> ms)   ARGV[2] dedupe window in ms
    then per event: game hash position, tombstone position, event id key position (0 = none),
                    now (epoch ms), stream entry id ("" = none), effect kind,
                    n = number of effect arguments, the n arguments
  Output: one reply per event, in order: applyEventTo's reply, {CODE.HELD} (an earlier event
          of its game in this batch failed; nothing written), or {CODE.FAILED, message}.
]]
-- @include game
-- @include event
local timeoutsJson, window = ARGV[1], ARGV[2]
local replies = {}
local failed = {}
local i = 3
while i <= #ARGV do
  local key = KEYS[tonumber(ARGV[i])]
  local tombstoneKey = KEYS[tonumber(ARGV[i + 1])]
  local eventPos = tonumber(ARGV[i + 2])
  local now, entryId, kind, n = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], tonumber(ARGV[i + 6])
  local a = {}
  for k = 1, n do a[k] = ARGV[i + 6 + k] end
  i = i + 7 + n
  if failed[key] then
    replies[#replies + 1] = { CODE.HELD }
  else
    -- game.lua's helpers work on `gameKey`: point it at this event's game.
    gameKey = key
    local eventKey = nil
    if eventPos > 0 then eventKey = KEYS[eventPos] end
    local ok, reply = pcall(applyEventTo, now, timeoutsJson, window, entryId, kind, a, tombstoneKey, eventKey)
    if ok then
      replies[#replies + 1] = reply
    else
      failed[key] = true
      if claimedEventKey then redis.call("DEL", claimedEventKey) end
      if type(reply) == "table" and reply.err then reply = reply.err end
      replies[#replies + 1] = { CODE.FAILED, tostring(reply) }
    end
  end
end
return replies
