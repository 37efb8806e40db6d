-- A: member, seed, the author as `codec::author` writes it ('' to stop
-- ignoring), most kept (`rules::MAX_IGNORED`), how long the list lives (ms).
-- The person leaves the member's list, and comes back at its end when
-- ignored; the oldest go past the most kept. Every server is told
-- "{member} {seed} on|off", in order with the room events after it.
local il, seed = fill(K.ignored, A[1]), A[2]..' '
for _, item in ipairs(redis.call('LRANGE', il, 0, -1)) do
  if string.sub(item, 1, #seed) == seed then redis.call('LREM', il, 0, item) end
end
if A[3] ~= '' then
  redis.call('RPUSH', il, A[3])
  redis.call('LTRIM', il, -tonumber(A[4]), -1)
  redis.call('PEXPIRE', il, A[5])
end
local now = 'off'
if A[3] ~= '' then now = 'on' end
redis.call('PUBLISH', K.ignores, A[1]..' '..A[2]..' '..now)
return 1
