-- A: code, epoch, max rooms, member, author, expiry, maxlen, at, holder
-- ('' if none), most rooms one holder may have open, plan (5), the door
-- (list), the creator's name key ('' if the room keeps none). The room counts against its holder until leave.lua closes it.
-- 1 made (and entered), 0 code taken, -1 no more rooms, -2 the holder has
-- as many as it may.
local code, holder = A[1], A[9]
if redis.call('SCARD', K.private) >= tonumber(A[3]) then return -1 end
if holder ~= '' and tonumber(redis.call('GET', hk(holder)) or '0') >= tonumber(A[10]) then
  return -2
end
if redis.call('EXISTS', rk(code)) == 1 then return 0 end
local door, i = list(16)
new_room(code, A[2], false, door)
if holder ~= '' then
  redis.call('HSET', rk(code), 'holder', holder)
  redis.call('INCR', hk(holder))
  redis.call('EXPIRE', hk(holder), TTL)
end
-- Whoever makes a private room owns it.
redis.call('HSET', rk(code), 'owner', A[4])
enter_member(code, A[4], A[5], A[6], A[7], A[8], plan(11), A[i])
return 1
