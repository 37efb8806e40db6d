-- A: code, member, now, whether the member is muted ('1' or ''), maxlen,
-- then the message's fields as Rust wrote them; its author is added as
-- stored. The member's rate (their own slot) was counted before, and is
-- given back when this refuses.
-- {1} sent, {-1} not a member, {-2, wait ms} too fast (the rate, or the
-- room's slow mode), {-3} no such room, {-4, until ms} the room is
-- read-only: the comparisons of `rules::may_post`, in the same step.
local code, id, now = A[1], A[2], tonumber(A[3])
if redis.call('EXISTS', rk(code)) == 0 then return {-3} end
local author = redis.call('HGET', ak(code), id)
if not author or not redis.call('ZSCORE', ok(code), id) then return {-1} end
local ro = tonumber(redis.call('HGET', rk(code), 'ro') or '')
if ro and ro > now then return {-4, ro} end
local slow = tonumber(redis.call('HGET', rk(code), 'slow') or '')
if slow then
  local last = tonumber(redis.call('HGET', lpk(code), id) or '')
  if last and last + slow > now then return {-2, last + slow - now} end
end
local fields = {unpack(A, 6)}
-- A muted author's message reaches only them (`rules::muted`, asked in Rust).
if A[4] == '1' then
  table.insert(fields, 'o')
  table.insert(fields, '1')
end
table.insert(fields, 'a')
table.insert(fields, author)
-- Who sent it, for deleting it (never shown).
table.insert(fields, 'w')
table.insert(fields, id)
append(code, A[5], fields)
if slow then
  redis.call('HSET', lpk(code), id, now)
  redis.call('EXPIRE', lpk(code), TTL)
  -- Paces kept through a leave are let go once run out, so that the hash of
  -- a room that lives for ever stays about as big as the room.
  if redis.call('HLEN', lpk(code)) > 2 * redis.call('ZCARD', ok(code)) + 64 then
    local all = redis.call('HGETALL', lpk(code))
    for i = 1, #all, 2 do
      if tonumber(all[i + 1]) + slow <= now then redis.call('HDEL', lpk(code), all[i]) end
    end
  end
end
return {1}
