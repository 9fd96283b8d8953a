-- Whether stream entry id `a` comes after `b` (both "<ms>-<seq>"); TypeScript twin:
-- compareEntryIds in entry-ids.ts. Compared as numbers, part by part.
local function entryAfter(a, b)
  local am, as = string.match(a, "^(%d+)-(%d+)$")
  local bm, bs = string.match(b, "^(%d+)-(%d+)$")
  am, bm = tonumber(am), tonumber(bm)
  if am ~= bm then return am > bm end
  return tonumber(as) > tonumber(bs)
end
