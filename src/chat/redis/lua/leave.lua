-- A: code, member, now, mode ('now' or 'expire'), maxlen, plan (5), the
-- owner's notice should the owner be handed over (list of fields). In
-- 'expire' mode only a member whose presence ran out goes. The removal and
-- its notice are one step, so a leave is announced exactly once.
-- 0 not present, 1 left, 2 left and the room closed.
local code, id, now = A[1], A[2], tonumber(A[3])
if A[4] == 'expire' then
  local s = redis.call('ZSCORE', K.presence, code..' '..id)
  if s and tonumber(s) > now then return 0 end
end
local owner = list(11)
return leave_member(code, id, A[5], A[3], plan(6), owner)
