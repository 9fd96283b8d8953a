--[[
  A party seated by its leader (join, quickjoin): the seats sent are the members as the
  service read them at `expected` version, so the party must still be at that version —
  nobody joined or left since — or nothing is seated. Party hash fields: id, gameType,
  leaderId, members (JSON), maxSize, version, createdAt, updatedAt, seatedIn ("" = never).
]]

-- The refusal when the party is gone or changed since it was read (expected "" = no party), else nil.
local function partyGuardRefusal(partyKey, expected)
  if expected == "" then return nil end
  local version = redis.call("HGET", partyKey, "version")
  if not version then return { CODE.PARTY_GONE } end
  if version ~= expected then return { CODE.PARTY_CHANGED, version } end
  return nil
end

-- Records where the party was seated: a change of the party (version + 1), which keeps it alive.
local function markPartySeated(partyKey, expected, gameId, now)
  if expected == "" then return end
  redis.call("HSET", partyKey, "version", tonumber(expected) + 1, "seatedIn", gameId, "updatedAt", now)
  redis.call("PEXPIRE", partyKey, PARTY_IDLE_MS)
end
