--[[
  A game's hash as its record fields (no `ix…` bookkeeping fields) in one JSON array of
  fields and values: one bulk reply instead of ~45. The client turns each bulk reply into a
  string of its own, and one native JSON.parse is far cheaper (decodeGame reads the array).
]]
local byte = string.byte

-- Two bytes compared, not string.sub's new (interned) string per field.
local function isRecordField(f)
  local a, b = byte(f, 1, 2)
  return a ~= 105 or b ~= 120 -- "ix"
end

-- `flat`: a hash as HGETALL gives it (field, value, field, value…).
local function packRecord(flat)
  local out, n = {}, 0
  for i = 1, #flat, 2 do
    local f = flat[i]
    if isRecordField(f) then
      out[n + 1], out[n + 2] = f, flat[i + 1]
      n = n + 2
    end
  end
  return cjson.encode(out)
end

-- packRecord of a field -> value table, without building the flat list first.
local function packTable(t)
  local out, n = {}, 0
  for f, v in pairs(t) do
    if isRecordField(f) then
      out[n + 1], out[n + 2] = f, v
      n = n + 2
    end
  end
  return cjson.encode(out)
end
