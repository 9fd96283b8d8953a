--[[
  A game's hash as its record fields (no `ix…` bookkeeping fields) in one JSON array of
  fields and values: one bulk reply instead of ~45. The client turns each bulk reply into a
  string of its own, and one native JSON.parse is far cheaper (decodeGame reads the array).
]]
local function packRecord(flat)
  local out = {}
  local byte = string.byte
  for i = 1, #flat, 2 do
    local f = flat[i]
    -- Two bytes compared, not string.sub's new (interned) string per field.
    local a, b = byte(f, 1, 2)
    if a ~= 105 or b ~= 120 then -- "ix"
      out[#out + 1] = f
      out[#out + 1] = flat[i + 1]
    end
  end
  return cjson.encode(out)
end
