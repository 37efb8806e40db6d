-- A: code, holder ('' if none), most private rooms, most one holder may
-- have open, now (ms). Takes a private room's place before the room is made
-- (`create.lua`, the room's own slot), counted in this slot: 1 taken, 0
-- the code is a private room's already, -1 no more rooms, -2 the holder has
-- as many as it may. A place whose room was never made (a crash between
-- the two steps) is given back by the heartbeat (`closed.lua`).
local code, holder = A[1], A[2]
if redis.call('HEXISTS', K.private, code) == 1 then return 0 end
if redis.call('HLEN', K.private) >= tonumber(A[3]) then return -1 end
local held = fill(K.held, holder)
if holder ~= '' and redis.call('SCARD', held) >= tonumber(A[4]) then return -2 end
redis.call('HSET', K.private, code, holder..' '..A[5])
if holder ~= '' then
  redis.call('SADD', held, code)
  redis.call('EXPIRE', held, TTL)
end
return 1
