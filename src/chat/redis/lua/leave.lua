-- A: code, member, now, mode ('now' or 'expire'), maxlen, plan (5). In
-- 'expire' mode only a member whose presence ran out goes. The removal and
-- its notice are one step, so a leave is announced exactly once.
-- 0 not present, 1 left, 2 left and the room closed.
local code, id, now = A[1], A[2], tonumber(A[3])
local key = code..' '..id
if A[4] == 'expire' then
  local s = redis.call('ZSCORE', K.presence, key)
  if s and tonumber(s) > now then return 0 end
end
redis.call('ZREM', K.presence, key)
redis.call('SREM', K.rooms_of..id, code)
if redis.call('ZREM', ok(code), id) == 0 then return 0 end
if redis.call('HINCRBY', K.members, id, -1) <= 0 then redis.call('HDEL', K.members, id) end
local author = redis.call('HGET', ak(code), id) or ''
redis.call('HDEL', ak(code), id)
drop_name(code, id)
local r = rk(code)
if redis.call('EXISTS', r) == 0 then return 1 end
redis.call('PUBLISH', K.gone, code..' '..id)
announce(code, false, author, id, A[5], A[3], plan(6))
if redis.call('HGET', r, 'public') == '0' and redis.call('ZCARD', ok(code)) == 0 then
  -- The room's place among its holder's is given back as it closes.
  local holder = redis.call('HGET', r, 'holder')
  if holder and redis.call('DECR', hk(holder)) <= 0 then redis.call('DEL', hk(holder)) end
  redis.call('DEL', r, sk(code), ok(code), ak(code), nk(code), xk(code), bk(code, true), bk(code, false))
  redis.call('ZREM', K.batches, code)
  redis.call('SREM', K.private, code)
  redis.call('SREM', K.pair_rooms, code)
  redis.call('PUBLISH', K.events, code)
  return 2
end
return 1
