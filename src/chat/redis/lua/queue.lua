-- A: member, author, expiry, cap, now. 1 queued, 0 kept their place, -1 full.
local id, now = A[1], tonumber(A[5])
local w = wk(id)
local matched = redis.call('HGET', w, 'matched')
-- Waiting, or held while a match is being made ('~...'): keeps the place.
if redis.call('EXISTS', w) == 1 and (not matched or matched == '' or string.sub(matched, 1, 1) == '~') then
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
