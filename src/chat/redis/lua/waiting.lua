-- A: member, live until (ms, 0 when the last page closed), expiry.
-- Refreshes a waiter whose page is open; returns their match ('' if none),
-- or false when they are no longer queued.
local w = wk(A[1])
if redis.call('EXISTS', w) == 0 then return false end
if A[2] ~= '0' then redis.call('HSET', w, 'opened', 1) end
redis.call('EXPIRE', w, TTL)
redis.call('HSET', w, 'live', A[2])
redis.call('ZADD', K.queue_expiry, A[3], A[1])
return redis.call('HGET', w, 'matched') or ''
