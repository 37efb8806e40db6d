-- A: member, the new name's key, whether names are unique in a pair room
-- and in any other (see `unique`), maxlen, 'check' (only check) or 'write',
-- then the room's list: its code, the author as it was read, the author to
-- be, the notice's fields. One room per call (each room is its own slot):
-- Rust checks every room first, then writes each. 1 renamed (or would be),
-- 0 not in the room, -1 changed meanwhile, -2 the name is taken.
local id, key, maxlen = A[1], A[2], A[5]
local room = list(7)
local code = room[1]
local author = redis.call('HGET', ak(code), id)
if not author or redis.call('EXISTS', rk(code)) == 0 then return 0 end
if author ~= room[2] then return -1 end
if unique(code, A[3], A[4]) and name_taken(code, key, id) then return -2 end
if A[6] == 'check' then return 1 end
redis.call('HSET', ak(code), id, room[3])
if unique(code, A[3], A[4]) then
  drop_name(code, id)
  take_name(code, key, id)
end
append(code, maxlen, {unpack(room, 4)})
return 1
