#!lua
-- One try at a room code (see `Store::try_code`): refuses when a key has
-- used up its misses, else counts a miss against every key, all in one
-- step of the limits' slot, so a right code never counts, not even for a
-- moment. Whether the code is a hit was looked up just before, in the
-- room's own slot; whether a miss counts, Rust decided
-- (`RedisAttempts::try_code`).
-- KEYS: the keys' sets. ARGV: now (ms), window (ms), this try's unique
-- name, '1' when a miss counts, '1' when it is a hit, then each key's limit.
-- Returns -1 for a hit, -2 for a miss (counted), -3 for a miss not
-- counted, else the milliseconds to wait.
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= tonumber(ARGV[5 + i]) then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    return math.max(1, tonumber(oldest[2]) + window - now)
  end
end
if ARGV[5] == '1' then return -1 end
if ARGV[4] ~= '1' then return -3 end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
end
return -2
