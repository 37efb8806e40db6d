-- A: code, the owner asking ('' for a moderator: no owner to check), the
-- room hash's field (`locked`, `slow`, `ro`), its value ('' to clear),
-- maxlen, then the notice's fields. The field and its notice are one step.
-- 1 changed, 0 already so (no notice), -1 no such room, -2 not the owner.
local code, by, field, value = A[1], A[2], A[3], A[4]
local r = rk(code)
if redis.call('EXISTS', r) == 0 then return -1 end
if by ~= '' and redis.call('HGET', r, 'owner') ~= by then return -2 end
if (redis.call('HGET', r, field) or '') == value then return 0 end
if value == '' then redis.call('HDEL', r, field) else redis.call('HSET', r, field, value) end
-- A new pace starts everyone afresh.
if field == 'slow' then redis.call('DEL', lpk(code)) end
append(code, A[5], {unpack(A, 6)})
return 1
