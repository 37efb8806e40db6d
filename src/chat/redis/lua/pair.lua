-- A: now, max pair rooms, how long a match being made holds its two (ms),
-- whether a waiter is ready (4: `rules::ready` for each of never opened a
-- page or did, and has none open or one), most matches.
-- Matches the two who waited longest among those matched to nobody and
-- ready, and of whom neither blocked the other (`rules::may_pair`), as long
-- as pair rooms may be made; holds each two (`matched` = '~{now}') while
-- their room is made in its own slot (`pair_room.lua`) and then told
-- (`paired.lua`). A hold that is never told lapses, and they are matched
-- again. Returns {a, a's author, b, b's author, ...}; those matched when no
-- more pair rooms may be made leave the queue.
local now = tonumber(A[1])
local function is_ready(opened, open_now)
  local i = 4
  if opened then i = i + 2 end
  if open_now then i = i + 1 end
  return A[i] == '1'
end
local function free(matched)
  if not matched or matched == '' then return true end
  local at = string.match(matched, '^~(%d+)$')
  return at ~= nil and tonumber(at) + tonumber(A[3]) <= now
end
local wanted = 2 * tonumber(A[8])
local ready = {}
for _, id in ipairs(redis.call('ZRANGE', K.queue, 0, -1)) do
  if #ready >= wanted then break end
  local w = redis.call('HMGET', wk(id), 'author', 'matched', 'opened', 'live')
  if not w[1] then
    redis.call('ZREM', K.queue, id)
  elseif free(w[2]) and is_ready(w[3] == '1', tonumber(w[4] or '0') > now) then
    table.insert(ready, {id, w[1]})
  end
end
local function blocked(a, b)
  return redis.call('SISMEMBER', fill(K.blocked, a), b) == 1
end
local out, used = {}, {}
local rooms = redis.call('SCARD', K.pair_rooms)
for i = 1, #ready do
  if not used[i] then
    for j = i + 1, #ready do
      local a, b = ready[i], ready[j]
      if not used[j] and not blocked(a[1], b[1]) and not blocked(b[1], a[1]) then
        used[i], used[j] = true, true
        if rooms >= tonumber(A[2]) then
          unqueue(a[1])
          unqueue(b[1])
        else
          rooms = rooms + 1
          for _, m in ipairs({a, b}) do
            redis.call('HSET', wk(m[1]), 'matched', '~'..A[1])
            table.insert(out, m[1])
            table.insert(out, m[2])
          end
        end
        break
      end
    end
  end
end
return out
