-- A: code, and the place's time ('' for any). Gives a private room's place
-- back (among private rooms and its holder's), once the room closed or was
-- never made: 1 given back, 0 none held (safe to run again).
local kept = redis.call('HGET', K.private, A[1])
if not kept then return 0 end
local holder, at = string.match(kept, '^(.*) (%d+)$')
if A[2] ~= '' and at ~= A[2] then return 0 end
if holder and holder ~= '' then redis.call('SREM', fill(K.held, holder), A[1]) end
redis.call('HDEL', K.private, A[1])
return 1
