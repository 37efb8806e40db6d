-- A: code, the message's id, who deletes it ('author' or 'moderator', as
-- Rust decided they may), maxlen.
-- Its entry goes (its text with it); an entry that stands in its place,
-- with its author and time, is appended and tells every server.
-- {1, id} deleted, {0} deleted before, {-1} no such message kept, {-3} no such room.
local code, target, by = A[1], A[2], A[3]
if redis.call('EXISTS', rk(code)) == 0 then return {-3} end
if redis.call('HEXISTS', xk(code), target) == 1 then return {0} end
local found = redis.call('XRANGE', sk(code), target, target)
if #found == 0 then return {-1} end
local kept = {}
local fields = found[1][2]
for i = 1, #fields, 2 do kept[fields[i]] = fields[i + 1] end
if kept.k ~= 'msg' or not kept.a then return {-1} end
redis.call('XDEL', sk(code), target)
-- A muted message's place reaches only its author, as the message did.
local id = append(code, A[4], {'k', 'del', 'of', target, 'by', by, 'a', kept.a, 'w', kept.w or '', 'at', kept.at or '', 'o', kept.o or ''})
redis.call('HSET', xk(code), target, id)
-- Deletions whose entries the stream has let go are forgotten with them, so
-- the hash of a room that lives for ever stays as small as its log.
if redis.call('HLEN', xk(code)) > tonumber(A[4]) then
  local first = redis.call('XRANGE', sk(code), '-', '+', 'COUNT', 1)[1]
  local fe, fs = string.match(first and first[1] or id, '^(%d+)-(%d+)$')
  fe, fs = tonumber(fe), tonumber(fs)
  local all = redis.call('HGETALL', xk(code))
  for i = 1, #all, 2 do
    local e, s = string.match(all[i + 1], '^(%d+)-(%d+)$')
    e, s = tonumber(e), tonumber(s)
    if e < fe or (e == fe and s < fs) then redis.call('HDEL', xk(code), all[i]) end
  end
end
return {1, id}
