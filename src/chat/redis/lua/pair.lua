-- A: now, first epoch, maxlen, expiry, max pair rooms, the pairing
-- notice's kind, plan (5), whether a waiter is ready (4: `rules::ready` for
-- each of never opened a page or did, and has none open or one), candidate
-- codes (list).
-- Pairs the two who waited longest among those matched to nobody and
-- ready, and of whom neither blocked the other (`rules::may_pair`), as long
-- as codes last; returns the new rooms' codes. A pair room's door opens to
-- its two members' own passes (`rules::Door::Only`).
local now = tonumber(A[1])
local function is_ready(opened, open_now)
  local i = 12
  if opened then i = i + 2 end
  if open_now then i = i + 1 end
  return A[i] == '1'
end
local codes = list(16)
local ready = {}
local wanted = 2 * #codes
for _, id in ipairs(redis.call('ZRANGE', K.queue, 0, -1)) do
  if #ready >= wanted then break end
  local w = redis.call('HMGET', K.waiter..id, 'author', 'matched', 'opened', 'live')
  if not w[1] then
    redis.call('ZREM', K.queue, id)
  elseif (not w[2] or w[2] == '') and is_ready(w[3] == '1', tonumber(w[4] or '0') > now) then
    table.insert(ready, {id, w[1]})
  end
end
local function blocked(a, b)
  return redis.call('SISMEMBER', K.blocked..a, b) == 1
end
local matches, used = {}, {}
for i = 1, #ready do
  if not used[i] then
    for j = i + 1, #ready do
      local a, b = ready[i][1], ready[j][1]
      if not used[j] and not blocked(a, b) and not blocked(b, a) then
        used[i], used[j] = true, true
        table.insert(matches, {ready[i], ready[j]})
        break
      end
    end
  end
end
local out = {}
local ci = 1
for _, match in ipairs(matches) do
  local a, b = match[1], match[2]
  if redis.call('SCARD', K.pair_rooms) >= tonumber(A[5]) then
    unqueue(a[1])
    unqueue(b[1])
  else
    local code = nil
    while ci <= #codes and not code do
      if redis.call('EXISTS', rk(codes[ci])) == 0 then code = codes[ci] end
      ci = ci + 1
    end
    if not code then break end
    new_room(code, A[2], a[1]..' '..b[1], {a[1], b[1]})
    for _, m in ipairs({a, b}) do
      -- No name index: a pair room's names need not differ (`rules::names_unique`).
      enter_member(code, m[1], m[2], A[4], A[3], A[1], plan(7), '')
    end
    append(code, A[3], {'k', A[6], 'a', a[2], 'b', b[2], 'at', A[1]})
    for _, m in ipairs({a, b}) do
      redis.call('ZREM', K.queue, m[1])
      redis.call('HSET', K.waiter..m[1], 'matched', code)
      redis.call('ZADD', K.queue_expiry, A[4], m[1])
      redis.call('PUBLISH', K.paired, m[1]..' '..code)
    end
    table.insert(out, code)
  end
end
return out
