#!lua
-- One try at a room code (see `Store::try_code`): refuses when a key has
-- used up its misses, else looks the code up and counts a miss against
-- every key, all in one step, so a right code never counts, not even for a
-- moment. Which look-up, and whether a miss counts, Rust decided
-- (`RedisAttempts::try_code`); here only the facts are tested.
-- KEYS: the keys' sets. ARGV: now (ms), window (ms), this try's unique
-- name, '1' when a miss counts, '1' when it is a hit without looking, the
-- test ('pass': the hash at the key has one of the fields; 'present': the
-- sorted set at the key holds the member; 'none'), the key, then each key's
-- limit, then the fields (or the member) to test.
-- Returns -1 for a hit, -2 for a miss (counted), -3 for a miss not
-- counted, else the milliseconds to wait.
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local n = #KEYS
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= tonumber(ARGV[7 + i]) then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    return math.max(1, tonumber(oldest[2]) + window - now)
  end
end
local hit = ARGV[5] == '1'
if not hit and ARGV[6] == 'pass' then
  for i = 8 + n, #ARGV do
    if redis.call('HEXISTS', ARGV[7], ARGV[i]) == 1 then hit = true end
  end
elseif not hit and ARGV[6] == 'present' then
  hit = redis.call('ZSCORE', ARGV[7], ARGV[8 + n]) ~= false
end
if hit then return -1 end
if ARGV[4] ~= '1' then return -3 end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
end
return -2
