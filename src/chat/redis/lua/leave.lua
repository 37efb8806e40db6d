-- A: code, member, now, mode ('now' or 'expire'), maxlen, plan (5), the
-- owner's notice should the owner be handed over (list of fields). In
-- 'expire' mode only a member whose presence ran out goes (the room's own
-- record of it, `ek`). The removal and its notice are one step, so a leave
-- is announced exactly once. {0} not present, {1, due} left, {2, due} left
-- and the room closed; the second when gathered notices are due (0: none).
local code, id, now = A[1], A[2], tonumber(A[3])
if A[4] == 'expire' then
  local s = redis.call('HGET', ek(code), id)
  if s and tonumber(s) > now then return {-1, tonumber(s)} end
end
local owner = list(11)
local left = leave_member(code, id, A[5], A[3], plan(6), owner)
return {left, DUE}
