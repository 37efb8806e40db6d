-- A: code, member, the author as it was read, the author to be, maxlen,
-- then the notice's fields. Renames and announces only if the author is
-- still as it was read. 1 renamed, 0 not in the room, -1 changed meanwhile.
local code, id = A[1], A[2]
local author = redis.call('HGET', ak(code), id)
if not author or redis.call('EXISTS', rk(code)) == 0 then return 0 end
if author ~= A[3] then return -1 end
redis.call('HSET', ak(code), id, A[4])
append(code, A[5], {unpack(A, 6)})
return 1
