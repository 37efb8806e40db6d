-- A: code, member, now, window ms, limit, maxlen, then the message's fields
-- as Rust wrote them; its author is added as stored, and whether it reaches
-- only them (they are muted), read in the same step.
-- {1} sent, {-1} not a member, {-2, wait ms} too fast (the rate, or the
-- room's slow mode), {-3} no such room, {-4, until ms} the room is
-- read-only: the comparisons of `rules::may_post`, in the same step.
local code, id, now, window = A[1], A[2], tonumber(A[3]), tonumber(A[4])
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
local rate = K.rate..id
redis.call('ZREMRANGEBYSCORE', rate, '-inf', now - window)
local count = redis.call('ZCARD', rate)
if count >= tonumber(A[5]) then
  local oldest = redis.call('ZRANGE', rate, 0, 0, 'WITHSCORES')
  return {-2, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', rate, now, now..':'..count)
redis.call('PEXPIRE', rate, window)
local fields = {unpack(A, 7)}
-- A muted author's message reaches only them: `rules::muted`'s comparison.
local muted = tonumber(redis.call('GET', K.mute..id) or '')
if muted and now < muted then
  table.insert(fields, 'o')
  table.insert(fields, '1')
end
table.insert(fields, 'a')
table.insert(fields, author)
-- Who sent it, for deleting it (never shown).
table.insert(fields, 'w')
table.insert(fields, id)
append(code, A[6], fields)
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
