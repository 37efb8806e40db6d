-- A: code, the door's passes (list). Opens the door of a room kept by an
-- earlier version (which had none), if the room still exists.
if redis.call('EXISTS', rk(A[1])) == 0 then return 0 end
open_door(A[1], list(2))
return 1
