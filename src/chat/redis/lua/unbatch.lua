-- A: code, the due time read (ms). Takes a room out of the sweeper's index
-- of due notices, unless a new gathering put it back with another time
-- meanwhile: 1 taken out, 0 kept.
local s = redis.call('ZSCORE', K.batches, A[1])
if not s or s ~= A[2] then return 0 end
redis.call('ZREM', K.batches, A[1])
return 1
