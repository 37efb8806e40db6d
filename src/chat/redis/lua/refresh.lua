-- A: code, until when (ms), then members. Keeps each of them present in
-- the room until then, if they are still there (never shortens).
local code, till = A[1], tonumber(A[2])
for i = 3, #A do
  if redis.call('ZSCORE', ok(code), A[i]) then
    local s = tonumber(redis.call('HGET', ek(code), A[i]) or '0')
    if s < till then redis.call('HSET', ek(code), A[i], till) end
  end
end
return 1
