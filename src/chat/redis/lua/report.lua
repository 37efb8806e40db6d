-- A: who reported what ("{code} {message} {reporter}"), most open reports,
-- then the report's fields as name, value pairs. Keeps the report unless
-- that reporter's report of that message is open already (0), and lets the
-- oldest open reports go past the most; the new report's number.
if redis.call('HEXISTS', K.reported, A[1]) == 1 then return 0 end
local id = redis.call('INCR', K.report_seq)
local fields = {'key', A[1]}
for i = 3, #A do fields[#fields + 1] = A[i] end
redis.call('HSET', fill(K.report, id), unpack(fields))
redis.call('HSET', K.reported, A[1], id)
redis.call('ZADD', K.reports, id, id)
while redis.call('ZCARD', K.reports) > tonumber(A[2]) do
  local old = redis.call('ZPOPMIN', K.reports)[1]
  local key = redis.call('HGET', fill(K.report, old), 'key')
  if key then redis.call('HDEL', K.reported, key) end
  redis.call('DEL', fill(K.report, old))
end
return id
