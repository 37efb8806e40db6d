-- A: member, now. The waiter goes if their time ran out and no waiting
-- page holds them.
local id, now = A[1], tonumber(A[2])
local s = redis.call('ZSCORE', K.queue_expiry, id)
if s and tonumber(s) > now then return 0 end
local live = tonumber(redis.call('HGET', wk(id), 'live') or '0')
if live > now then
  redis.call('ZADD', K.queue_expiry, live, id)
  return 0
end
return unqueue(id)
