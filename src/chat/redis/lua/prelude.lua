-- Shared by every script of the store. `K`, the key layout, is put before
-- this by scripts.rs from keys.rs. KEYS[1] names the one slot the script
-- touches (a key of its hash tag: see keys.rs); every key it builds has that
-- tag. ARGV[1] is how many seconds a room's keys outlive their last use; `A`
-- holds the script's own arguments.
--
-- No rule of the chat is decided here: constants come as arguments, events
-- come already decided (the scripts add only what is stored, such as an
-- author, copied as it is), and where a check must be made inside the atomic
-- step, Rust (src/chat/rules.rs) says what each outcome means.

local TTL = tonumber(ARGV[1])
local A = {}
for i = 2, #ARGV do A[i - 1] = ARGV[i] end

-- A key of the layout: `pattern` (from K) with its `%s` replaced by `part`,
-- taken as plain text (its `%` doubled, as gsub's replacement reads it).
local function fill(pattern, part)
  return (string.gsub(pattern, '%%s', (string.gsub(part, '%%', '%%%%')), 1))
end
local function rk(c) return fill(K.room, c) end
local function sk(c) return fill(K.log, c) end
local function ok(c) return fill(K.present, c) end
local function ek(c) return fill(K.expires, c) end
local function ak(c) return fill(K.authors, c) end
local function nk(c) return fill(K.names, c) end
local function rmk(c) return fill(K.removed, c) end
local function lpk(c) return fill(K.last_posts, c) end
local function xk(c) return fill(K.deleted, c) end
local function bk(c, joined)
  if joined then return fill(K.joins, c) end
  return fill(K.leaves, c)
end
local function wk(id) return fill(K.waiter, id) end

-- A count-prefixed list of arguments from A[i]; the list and the index after it.
local function list(i)
  local n, t = tonumber(A[i]), {}
  for j = 1, n do t[j] = A[i + j] end
  return t, i + n + 1
end

-- What an arrival or a departure announces in each shape of room, as
-- `rules::notice` decided it, from A[i]: the most members told of at once,
-- when a gathering that starts now is due, and the word for a pair room, a
-- small one and a busy one.
local function plan(i)
  return {big = tonumber(A[i]), due = A[i + 1], pair = A[i + 2], small = A[i + 3], busy = A[i + 4]}
end

-- Keeps a room's keys alive while it is used.
local function touch(code)
  for _, k in ipairs({rk(code), sk(code), ok(code), ek(code), ak(code), nk(code), rmk(code), lpk(code), xk(code)}) do
    redis.call('EXPIRE', k, TTL)
  end
end

-- Numbers an event, keeps it (trimmed) and tells every server.
local function append(code, maxlen, fields)
  local r = rk(code)
  local epoch = redis.call('HGET', r, 'epoch')
  local seq = redis.call('HINCRBY', r, 'seq', 1)
  local id = epoch..'-'..seq
  redis.call('XADD', sk(code), 'MAXLEN', '~', maxlen, id, unpack(fields))
  touch(code)
  redis.call('PUBLISH', K.events, code)
  return id
end

-- Who a room lets in: the passes of its door (`rules::Door::passes`).
local function open_door(code, passes)
  for _, pass in ipairs(passes) do redis.call('HSET', rk(code), K.pass..pass, 1) end
end

-- Whether one of a person's passes (`rules::passes_of`) opens the room's door.
local function admits(code, held)
  for _, pass in ipairs(held) do
    if redis.call('HEXISTS', rk(code), K.pass..pass) == 1 then return true end
  end
  return false
end

-- A public room is made again when Redis lost it; a private one is not.
local function ensure(code, public_epoch, door)
  if redis.call('EXISTS', rk(code)) == 1 then return true end
  if public_epoch == '' then return false end
  redis.call('DEL', sk(code), ok(code), ek(code), ak(code), nk(code), rmk(code), lpk(code), xk(code))
  redis.call('HSET', rk(code), 'epoch', public_epoch, 'seq', 0, 'public', 1, 'arrivals', 0)
  open_door(code, door)
  touch(code)
  return true
end

-- When this room's gathered notices are due (ms), once a gathering began in
-- this script: scripts return it, and Rust indexes it (`K.batches`, a slot
-- of its own) for the sweeper. 0 when none began.
local DUE = 0

-- Announces an arrival or a departure as `how` (see `plan`) says for the
-- room's shape. The facts are read here, in the same step: a pair room, or a
-- busy one (more members than `how.big`, or notices already gathering), as
-- `rules::Shape::of` defines them.
local function announce(code, joined, author, id, maxlen, at, how)
  local word
  if redis.call('HEXISTS', rk(code), 'pair') == 1 then
    word = how.pair
  elseif redis.call('ZCARD', ok(code)) > how.big
    or redis.call('EXISTS', bk(code, true), bk(code, false)) > 0 then
    word = how.busy
  else
    word = how.small
  end
  if word == '' then return end
  if word == 'gather' then
    redis.call('RPUSH', bk(code, joined), author)
    redis.call('EXPIRE', bk(code, joined), TTL)
    redis.call('HSETNX', rk(code), 'due', how.due)
    DUE = tonumber(redis.call('HGET', rk(code), 'due'))
    return
  end
  append(code, maxlen, {'k', word, 'a', author, 'w', id, 'at', at})
end

-- Whether the room keeps its names unique: `rules::names_unique` for a pair
-- room (`pair`) and for any other (`other`), '1' or '0', as Rust decided.
local function unique(code, pair, other)
  if redis.call('HEXISTS', rk(code), 'pair') == 1 then return pair == '1' end
  return other == '1'
end

-- Whether someone other than `id` goes by the name whose key (as
-- `rules::name_key` folds it) is `key`.
local function name_taken(code, key, id)
  local owner = redis.call('HGET', nk(code), 'n:'..key)
  return owner and owner ~= id
end

-- `id` no longer goes by the name they had in the room.
local function drop_name(code, id)
  local key = redis.call('HGET', nk(code), 'm:'..id)
  if not key then return end
  if redis.call('HGET', nk(code), 'n:'..key) == id then redis.call('HDEL', nk(code), 'n:'..key) end
  redis.call('HDEL', nk(code), 'm:'..id)
end

-- `id` goes by the name whose key is `key` ('': a room without unique names).
local function take_name(code, key, id)
  if key == '' then return end
  redis.call('HSET', nk(code), 'n:'..key, id, 'm:'..id, key)
end

-- Puts a member in a room (1) unless present (0), present until `expiry`,
-- announced as `how` says, their name's key (`key`, '' if the room keeps
-- none) taken. The member's own keys and the sweeper's index are written
-- by Rust before this (`rooms::enter`): a step that fails after them
-- leaves an entry the sweeper finds and undoes.
local function enter_member(code, id, author, expiry, maxlen, at, how, key)
  -- Entering again (a page load) keeps, but does not lengthen, a presence:
  -- only open streams do.
  if redis.call('ZSCORE', ok(code), id) then return 0 end
  local n = redis.call('HINCRBY', rk(code), 'arrivals', 1)
  redis.call('ZADD', ok(code), n, id)
  redis.call('HSET', ek(code), id, expiry)
  redis.call('HSET', ak(code), id, author)
  take_name(code, key, id)
  announce(code, true, author, id, maxlen, at, how)
  return 1
end

-- Made with Create private room, or for two strangers (`pair`: who they
-- are, kept for operators to read). Each pool's cap is counted in its own
-- slot, before (`reserve.lua`, `pair.lua`).
local function new_room(code, epoch, pair, door)
  redis.call('DEL', sk(code), ok(code), ek(code), ak(code), nk(code), rmk(code), lpk(code), xk(code))
  redis.call('HSET', rk(code), 'epoch', epoch, 'seq', 0, 'public', 0, 'arrivals', 0)
  open_door(code, door)
  if pair then redis.call('HSET', rk(code), 'pair', pair) end
  touch(code)
end

local function unqueue(id)
  redis.call('ZREM', K.queue, id)
  redis.call('ZREM', K.queue_expiry, id)
  return redis.call('DEL', wk(id))
end

-- `id`, who left, owned the room: the longest present now does (the first
-- of the present set, ordered by arrival: `rules::next_owner`), told as
-- the notice Rust wrote (`owner`, its author added here), or nobody.
local function hand_over(code, id, maxlen, owner)
  local r = rk(code)
  if redis.call('HGET', r, 'owner') ~= id then return end
  local next = redis.call('ZRANGE', ok(code), 0, 0)[1]
  if not next then
    redis.call('HDEL', r, 'owner')
    return
  end
  redis.call('HSET', r, 'owner', next)
  local fields = {unpack(owner)}
  table.insert(fields, 'a')
  table.insert(fields, redis.call('HGET', ak(code), next) or '')
  append(code, maxlen, fields)
end

-- `id` leaves `code` now, announced as `how` says, the owner handed over
-- with the notice `owner` (fields) if it was them. 0 not present, 1 left,
-- 2 left and the room closed. What is kept elsewhere (the member's rooms,
-- the sweeper's index, a private room's place among its holder's) Rust
-- gives back after (`Inner::after_leave`), each step safe to run again.
local function leave_member(code, id, maxlen, at, how, owner)
  redis.call('HDEL', ek(code), id)
  if redis.call('ZREM', ok(code), id) == 0 then return 0 end
  local author = redis.call('HGET', ak(code), id) or ''
  redis.call('HDEL', ak(code), id)
  -- A slow-mode pace still running is kept, so that a leave and a join do
  -- not reset it (`rules::still_paced`); one that ran out goes.
  local slow = tonumber(redis.call('HGET', rk(code), 'slow') or '')
  local last = tonumber(redis.call('HGET', lpk(code), id) or '')
  if not (slow and last and last + slow > tonumber(at)) then redis.call('HDEL', lpk(code), id) end
  drop_name(code, id)
  local r = rk(code)
  if redis.call('EXISTS', r) == 0 then return 1 end
  redis.call('PUBLISH', K.gone, code..' '..id)
  announce(code, false, author, id, maxlen, at, how)
  if redis.call('HGET', r, 'public') == '0' and redis.call('ZCARD', ok(code)) == 0 then
    redis.call('DEL', r, sk(code), ok(code), ek(code), ak(code), nk(code), bk(code, true),
      bk(code, false), rmk(code), lpk(code), xk(code))
    redis.call('PUBLISH', K.events, code)
    return 2
  end
  hand_over(code, id, maxlen, owner)
  return 1
end
