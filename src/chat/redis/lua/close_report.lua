-- A: a report's number. Closes it: 1 if it was open, else 0.
if redis.call('ZREM', K.reports, A[1]) == 0 then return 0 end
local key = redis.call('HGET', fill(K.report, A[1]), 'key')
if key and redis.call('HGET', K.reported, key) == A[1] then
  redis.call('HDEL', K.reported, key)
end
redis.call('DEL', fill(K.report, A[1]))
return 1
