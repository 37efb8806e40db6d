#!lua
-- Forgets attempts older than the window, then counts one more unless the
-- key has used up its attempts, all in one step. KEYS[1]: the key's set;
-- ARGV: now (ms), window (ms), limit, this attempt's unique name. Returns
-- -1 when counted, else the milliseconds to wait.
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return -1
