-- A: member, now, window (ms), limit, this post's unique name. In the
-- member's own slot, before the room's step (`say.lua`): counts the post
-- against their rate unless it is used up, and reads until when they are
-- muted (`rules::muted` compares, in Rust). {-1, muted until (ms, 0 if
-- never)} counted, {wait ms} too fast. Rust takes the count back (`ZREM`
-- of the unique name) when the room refuses the post.
local now, window = tonumber(A[2]), tonumber(A[3])
local rate = fill(K.rate, A[1])
redis.call('ZREMRANGEBYSCORE', rate, '-inf', now - window)
if redis.call('ZCARD', rate) >= tonumber(A[4]) then
  local oldest = redis.call('ZRANGE', rate, 0, 0, 'WITHSCORES')
  return {math.max(1, tonumber(oldest[2]) + window - now)}
end
redis.call('ZADD', rate, now, A[5])
redis.call('PEXPIRE', rate, window)
return {-1, tonumber(redis.call('GET', fill(K.mute, A[1])) or '0')}
