-- A: code, the owner asking, the member to remove, now, maxlen, plan (5),
-- the owner's notice (list of fields; see `hand_over`). The member is kept
-- out (`rmk`) and leaves in the same step, so they cannot slip back in.
-- {1, due} removed (due: when gathered notices are due, 0 none, see
-- `leave.lua`), {-1} not the owner, {-2} the owner themselves, {-3} not present.
local code, by, id = A[1], A[2], A[3]
if redis.call('HGET', rk(code), 'owner') ~= by then return {-1} end
if id == by then return {-2} end
if not redis.call('ZSCORE', ok(code), id) then return {-3} end
redis.call('SADD', rmk(code), id)
touch(code)
local owner = list(11)
leave_member(code, id, A[5], A[4], plan(6), owner)
return {1, DUE}
