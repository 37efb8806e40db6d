-- A: code, how many joins and leaves were read, maxlen, then the notices
-- (each a list of fields) that Rust made of them. Appends them and ends the
-- gathering, once (whichever server gets there first), unless more came
-- since they were read. 1 flushed, 0 nothing due, -1 more came: read again.
-- The sweeper's index of due rooms (`K.batches`) is tidied after, by Rust.
local code = A[1]
if not redis.call('HGET', rk(code), 'due') then return 0 end
if redis.call('LLEN', bk(code, true)) ~= tonumber(A[2])
  or redis.call('LLEN', bk(code, false)) ~= tonumber(A[3]) then return -1 end
redis.call('HDEL', rk(code), 'due')
redis.call('DEL', bk(code, true), bk(code, false))
local i = 5
while i <= #A do
  local fields
  fields, i = list(i)
  append(code, A[4], fields)
end
return 1
