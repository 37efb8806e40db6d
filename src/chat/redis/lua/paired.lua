-- A: code, expiry, a, b. Tells two held strangers (`pair.lua`) their room
-- (`pair_room.lua` made it): counted among pair rooms, out of the queue,
-- matched, and every server told. Safe to run again.
redis.call('SADD', K.pair_rooms, A[1])
for _, id in ipairs({A[3], A[4]}) do
  redis.call('ZREM', K.queue, id)
  -- One who left the queue meanwhile is not brought back; the room lets
  -- them in all the same, and their presence runs out if they never come.
  if redis.call('EXISTS', wk(id)) == 1 then
    redis.call('HSET', wk(id), 'matched', A[1])
    redis.call('ZADD', K.queue_expiry, A[2], id)
  end
  redis.call('PUBLISH', K.paired, id..' '..A[1])
end
return 1
