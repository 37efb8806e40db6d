-- A: code, member, author, expiry, maxlen, at, public epoch ('' if private),
-- max members, plan (5, see `plan`), the door of a public room made again
-- (list), the member's passes (list), their name's key, whether names are
-- unique in a pair room and in any other (see `unique`).
-- 1 entered, 0 already present, -1 no such room (or one whose door the
-- member has no pass for), -2 full, -3 someone else there goes by the name,
-- -4 its owner removed them, -5 it is locked and they are new: the facts
-- `rules::may_enter` decides on, tested in the same step as the entry;
-- then when the room's gathered notices are due (0: none gathering).
local code, id = A[1], A[2]
local door, i = list(14)
local held, j = list(i)
if not ensure(code, A[7], door) then return {-1, 0} end
if not admits(code, held) then return {-1, 0} end
if redis.call('SISMEMBER', rmk(code), id) == 1 then return {-4, 0} end
if redis.call('ZSCORE', ok(code), id) then return {0, 0} end
if redis.call('HGET', rk(code), 'locked') == '1' then return {-5, 0} end
if redis.call('ZCARD', ok(code)) >= tonumber(A[8]) then return {-2, 0} end
local key = ''
if unique(code, A[j + 1], A[j + 2]) then
  key = A[j]
  if name_taken(code, key, id) then return {-3, 0} end
end
local n = enter_member(code, id, A[3], A[4], A[5], A[6], plan(9), key)
return {n, DUE}
