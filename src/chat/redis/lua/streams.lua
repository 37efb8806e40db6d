-- A: key (a member, or a kind and a client address), server, most, +1 or
-- -1. Counts what `key` holds open (streams) per server, over servers that
-- are alive (their key exists): 0 when one more would be too many, 1 when
-- counted.
local st = fill(K.streams, A[1])
if tonumber(A[4]) > 0 then
  local total = 0
  local all = redis.call('HGETALL', st)
  for i = 1, #all, 2 do
    if redis.call('EXISTS', fill(K.server, all[i])) == 1 then
      total = total + tonumber(all[i + 1])
    else
      redis.call('HDEL', st, all[i])
    end
  end
  if total >= tonumber(A[3]) then return 0 end
end
if redis.call('HINCRBY', st, A[2], A[4]) <= 0 then redis.call('HDEL', st, A[2]) end
redis.call('EXPIRE', st, TTL)
return 1
