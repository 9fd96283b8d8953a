--[[
  Stores a new SEARCHING ticket (version 1), unless one of its players has a live ticket
  in the queue; the ticket's players take their places in the queue and it goes on the feed.
  Input:
    KEYS[1] the ticket's hash, KEYS[2..7] the queue's keys (queueKeysAt)
    ARGV[1] ticket id   ARGV[2] enqueuedAt   ARGV[3] the fixed part JSON   ARGV[4] player ids JSON
    ARGV[5] owner id   ARGV[6] what a matcher pools of it (JSON)   ARGV[7] rating   ARGV[8..] the player ids
  Output: {0} | {CODE.TICKET_QUEUED, the other ticket's id} | {CODE.ID_TAKEN}
  TypeScript twin: enqueueTicket in memory/tickets.ts.
]]
-- @include ticket
local q = queueKeysAt(2)
local prefix = string.sub(KEYS[1], 1, #KEYS[1] - #ARGV[1])
for i = 8, #ARGV do
  local other = redis.call("HGET", q.players, ARGV[i])
  -- An entry is only trusted while its ticket still searches (ended tickets clear theirs).
  if other and redis.call("HGET", prefix .. other, "s") == SEARCHING then return { CODE.TICKET_QUEUED, other } end
end
if redis.call("EXISTS", KEYS[1]) == 1 then return { CODE.ID_TAKEN } end
redis.call("HSET", KEYS[1], "j", ARGV[3], "p", ARGV[4], "o", ARGV[5], "w", ARGV[6], "s", SEARCHING, "v", 1, "u", ARGV[2])
for i = 8, #ARGV do redis.call("HSET", q.players, ARGV[i], ARGV[1]) end
redis.call("ZADD", q.searching, ARGV[2], ARGV[1])
redis.call("ZADD", q.byRating, ARGV[7], ARGV[1])
feedAdd(q.feed, q.floor, "k", "s", "t", ARGV[1], "w", ARGV[6])
return { CODE.OK }
