-- A: member, the new name's key, whether names are unique in a pair room
-- and in any other (see `unique`), maxlen, then a list per room: its code,
-- the author as it was read, the author to be, the notice's fields.
-- Renames in every room at once, announced in each, or in none: not when
-- someone else in one of them goes by the name, nor when an author changed
-- since it was read. 1 renamed, -1 changed meanwhile, -2 the name is taken.
local id, key, maxlen = A[1], A[2], A[5]
local rooms, i = {}, 6
while i <= #A do
  local room
  room, i = list(i)
  local code = room[1]
  local author = redis.call('HGET', ak(code), id)
  if author and redis.call('EXISTS', rk(code)) == 1 then
    if author ~= room[2] then return -1 end
    if unique(code, A[3], A[4]) and name_taken(code, key, id) then return -2 end
    table.insert(rooms, room)
  end
end
for _, room in ipairs(rooms) do
  local code = room[1]
  redis.call('HSET', ak(code), id, room[3])
  if unique(code, A[3], A[4]) then
    drop_name(code, id)
    take_name(code, key, id)
  end
  append(code, maxlen, {unpack(room, 4)})
end
return 1
