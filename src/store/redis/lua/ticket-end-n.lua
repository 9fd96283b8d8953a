--[[
  Ends searching tickets of one queue other than by a match: timeouts (at the version the
  matcher read) and cancels (by the owner or an admin, whatever the version). A ticket no
  longer searching, or at another version, is left as it is.
  Input:
    KEYS[1..6] the queue's keys (queueKeysAt), KEYS[7] its activity bucket, KEYS[8..] the tickets' hashes
    ARGV[1] now
    then per ticket: expected version ("" = any), status, reason, actor id ("" = no owner check),
                     "1" = the actor is an admin
  Output: per ticket, in order: {0, hash} (ended now) | {CODE.NOT_FOUND} | {CODE.NOT_CREATOR} (not the owner)
          | {CODE.VERSION_CONFLICT, hash} (not searching, or not at the version: nothing written)
  TypeScript twin: cancelTicket and endTickets in memory/tickets.ts.
]]
-- @include ticket
local q = queueKeysAt(1)
q.activity = KEYS[7]
local out = {}
local ends = newEnds(q)
for i = 8, #KEYS do
  local key = KEYS[i]
  local a = 2 + (i - 8) * 5
  local version, status, reason, actor, admin = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local t = redis.call("HMGET", key, "s", "v", "o")
  if not t[1] then
    out[#out + 1] = { CODE.NOT_FOUND }
  elseif actor ~= "" and admin ~= "1" and actor ~= t[3] then
    out[#out + 1] = { CODE.NOT_CREATOR }
  elseif t[1] ~= SEARCHING or (version ~= "" and version ~= t[2]) then
    out[#out + 1] = { CODE.VERSION_CONFLICT, redis.call("HGETALL", key) }
  else
    local id = string.match(key, "[^:]+$")
    endTicket(key, id, ARGV[1], ends, status, "r", reason)
    out[#out + 1] = { CODE.OK, redis.call("HGETALL", key) }
  end
end
finishEnds(ends)
return out
