-- Redis refuses a command with more arguments than Lua's unpack takes (~8k): long lists go in slices.
local SLICE = 1000
local function callSliced(command, key, list)
  for i = 1, #list, SLICE do redis.call(command, key, unpack(list, i, math.min(i + SLICE - 1, #list))) end
end
