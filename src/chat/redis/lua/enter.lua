-- A: code, member, author, expiry, maxlen, at, public epoch ('' if private),
-- max members, plan (5, see `plan`), the door of a public room made again
-- (list), the member's passes (list).
-- 1 entered, 0 already present, -1 no such room (or one whose door the
-- member has no pass for), -2 full.
local code, id = A[1], A[2]
local door, i = list(14)
local held = list(i)
if not ensure(code, A[7], door) then return -1 end
if not admits(code, held) then return -1 end
if not redis.call('ZSCORE', ok(code), id)
  and redis.call('ZCARD', ok(code)) >= tonumber(A[8]) then return -2 end
return enter_member(code, id, A[3], A[4], A[5], A[6], plan(9))
