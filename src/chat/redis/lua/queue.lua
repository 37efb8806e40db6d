-- A: member, author, expiry, cap, now. 1 queued, 0 kept their place, -1 full.
local id, now = A[1], tonumber(A[5])
local w = K.waiter..id
local matched = redis.call('HGET', w, 'matched')
if redis.call('EXISTS', w) == 1 and (not matched or matched == '') then
  redis.call('HSET', w, 'author', A[2])
  return 0
end
if redis.call('ZCARD', K.queue) >= tonumber(A[4]) then return -1 end
local live = tonumber(redis.call('HGET', w, 'live') or '0')
local opened = 0
if live > now then opened = 1 end
redis.call('HSET', w, 'author', A[2], 'matched', '', 'opened', opened, 'live', live)
redis.call('EXPIRE', w, TTL)
redis.call('ZADD', K.queue, redis.call('INCR', K.queue_seq), id)
redis.call('ZADD', K.queue_expiry, A[3], id)
return 1
