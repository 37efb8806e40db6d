-- A: code, epoch, member, author, expiry, maxlen, at, holder ('' if none),
-- plan (5), the door (list), the creator's name key ('' if the room keeps
-- none). The room's place among private rooms and its holder's was taken
-- before (`reserve.lua`); it is given back when leave.lua closes the room.
-- {1, due} made (and entered), {0} the code is taken.
local code, holder = A[1], A[8]
if redis.call('EXISTS', rk(code)) == 1 then return {0} end
local door, i = list(14)
new_room(code, A[2], false, door)
if holder ~= '' then redis.call('HSET', rk(code), 'holder', holder) end
-- Whoever makes a private room owns it.
redis.call('HSET', rk(code), 'owner', A[3])
enter_member(code, A[3], A[4], A[5], A[6], A[7], plan(9), A[i])
return {1, DUE}
