//! The Lua scripts: every change that must be atomic across servers (append
//! an event, enter, leave, post, rename, queue, pair) runs as one script, so
//! no two servers can interleave a read and a write.
//!
//! Keys (all under `lc:`): `r:{code}` the room (hash: epoch, seq, public,
//! pair, arrivals, holder), `s:{code}` its log (a stream whose ids are `{epoch}-{seq}`),
//! `o:{code}` who is present (zset member -> order of arrival), `a:{code}` how
//! they appear (hash member -> "{seed} {name}"), `p` presence expiries (zset
//! "{code} {member}" -> ms), `mr:{member}` a member's rooms, `private` the
//! private rooms made with Create private room, `pairs` the random-chat rooms,
//! `held:{holder}` how many private rooms a client address holds, `m` how many rooms each present member is in (hash),
//! `st:{key}` what a member (or a client address) holds open per server
//! (hash), `srv:{server}`
//! there while that server lives, `rate:{member}` recent posts, `q` the pairing queue (zset
//! member -> order), `w:{member}` a waiter (hash: author, matched, opened,
//! live), `qx` waiters' expiries. Channel `lc:ev` carries the code of a room
//! whose log grew; `lc:pair` carries "{member} {code}" when a waiter is matched;
//! `lc:gone` carries "{code} {member}" when a member left. `b:{code}:j` and
//! `b:{code}:l` gather the joins and leaves of a big room until `batches`
//! (zset code -> ms) says they are due.

use redis::Script;

/// Functions every script shares.
const PRELUDE: &str = r#"
local P = 'lc:'
local function rk(c) return P..'r:'..c end
local function sk(c) return P..'s:'..c end
local function ok(c) return P..'o:'..c end
local function ak(c) return P..'a:'..c end
local TTL = 86400

-- Keeps a room's keys alive while it is used.
local function touch(code)
  for _, k in ipairs({rk(code), sk(code), ok(code), ak(code)}) do
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
  redis.call('PUBLISH', P..'ev', code)
  return id
end

-- A public room is made again when Redis lost it; a private one is not.
local function ensure(code, public_epoch)
  if redis.call('EXISTS', rk(code)) == 1 then return true end
  if public_epoch == '' then return false end
  redis.call('DEL', sk(code), ok(code), ak(code))
  redis.call('HSET', rk(code), 'epoch', public_epoch, 'seq', 0, 'public', 1, 'arrivals', 0)
  touch(code)
  return true
end

local function name_of(author) return string.sub(author, 18) end

-- Member count above which joins and leaves are batched; set by each script
-- that announces them.
local BIG = math.huge
local function bk(code, joined)
  if joined then return P..'b:'..code..':j' end
  return P..'b:'..code..':l'
end

-- Announces an arrival or a departure: at once in a small room, gathered
-- for a few seconds in a big one (or while a batch is gathering).
local function announce(code, joined, name, maxlen, at, who)
  local batching = redis.call('EXISTS', bk(code, true), bk(code, false)) > 0
  if batching or redis.call('ZCARD', ok(code)) > BIG then
    redis.call('RPUSH', bk(code, joined), name)
    redis.call('EXPIRE', bk(code, joined), TTL)
    redis.call('ZADD', P..'batches', 'NX', tonumber(at) + 3000, code)
    return
  end
  if joined then
    append(code, maxlen, {'k', 'joined', 'n', name, 'at', at})
  else
    append(code, maxlen, {'k', 'left', 'n', name, 'w', who, 'at', at})
  end
end

-- Puts a member in a room (1) unless present (0); announced when `notice`.
local function enter_member(code, id, author, expiry, notice, maxlen, at)
  -- Entering again (a page load) keeps, but does not lengthen, a presence:
  -- only open streams do.
  if redis.call('ZSCORE', ok(code), id) then return 0 end
  redis.call('ZADD', P..'p', expiry, code..' '..id)
  local n = redis.call('HINCRBY', rk(code), 'arrivals', 1)
  redis.call('ZADD', ok(code), n, id)
  redis.call('HSET', ak(code), id, author)
  redis.call('HINCRBY', P..'m', id, 1)
  redis.call('SADD', P..'mr:'..id, code)
  redis.call('EXPIRE', P..'mr:'..id, TTL)
  if notice then announce(code, true, name_of(author), maxlen, at, id) end
  return 1
end

-- How many private rooms a holder (a client address) has open.
local function hk(holder) return P..'held:'..holder end

-- Made with Create private room ('private'), or for two strangers ('pairs'):
-- each pool has its own cap.
local function new_room(code, epoch, pair)
  redis.call('DEL', sk(code), ok(code), ak(code))
  redis.call('HSET', rk(code), 'epoch', epoch, 'seq', 0, 'public', 0, 'arrivals', 0)
  if pair then
    redis.call('HSET', rk(code), 'pair', pair)
    redis.call('SADD', P..'pairs', code)
  else
    redis.call('SADD', P..'private', code)
  end
  touch(code)
end

local function unqueue(id)
  redis.call('ZREM', P..'q', id)
  redis.call('ZREM', P..'qx', id)
  return redis.call('DEL', P..'w:'..id)
end
"#;

/// ARGV: code, member, author, expiry, maxlen, at, public epoch ('' if
/// private), max members, big room. 1 entered, 0 already present, -1 no such room (or
/// a pair room of others), -2 full.
const ENTER: &str = r#"
local code, id = ARGV[1], ARGV[2]
BIG = tonumber(ARGV[9])
if not ensure(code, ARGV[7]) then return -1 end
local pair = redis.call('HGET', rk(code), 'pair')
if pair and not string.find(pair, id, 1, true) then return -1 end
if not redis.call('ZSCORE', ok(code), id)
  and redis.call('ZCARD', ok(code)) >= tonumber(ARGV[8]) then return -2 end
return enter_member(code, id, ARGV[3], ARGV[4], not pair, ARGV[5], ARGV[6])
"#;

/// ARGV: code, epoch, max rooms, member, author, expiry, maxlen, at, holder
/// ('' if none), most rooms one holder may have open. The room counts
/// against its holder until `LEAVE` closes it.
/// 1 made (and entered), 0 code taken, -1 no more rooms, -2 the holder has
/// as many as it may.
const CREATE: &str = r#"
local code, holder = ARGV[1], ARGV[9]
if redis.call('SCARD', P..'private') >= tonumber(ARGV[3]) then return -1 end
if holder ~= '' and tonumber(redis.call('GET', hk(holder)) or '0') >= tonumber(ARGV[10]) then
  return -2
end
if redis.call('EXISTS', rk(code)) == 1 then return 0 end
new_room(code, ARGV[2], false)
if holder ~= '' then
  redis.call('HSET', rk(code), 'holder', holder)
  redis.call('INCR', hk(holder))
  redis.call('EXPIRE', hk(holder), TTL)
end
enter_member(code, ARGV[4], ARGV[5], ARGV[6], true, ARGV[7], ARGV[8])
return 1
"#;

/// ARGV: code, member, now, mode ('now' or 'expire'), maxlen, big room. In
/// 'expire' mode only a member whose presence ran out goes. The removal and its
/// notice are one step, so a leave is announced exactly once.
/// 0 not present, 1 left, 2 left and the room closed.
const LEAVE: &str = r#"
local code, id, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
BIG = tonumber(ARGV[6])
local key = code..' '..id
if ARGV[4] == 'expire' then
  local s = redis.call('ZSCORE', P..'p', key)
  if s and tonumber(s) > now then return 0 end
end
redis.call('ZREM', P..'p', key)
redis.call('SREM', P..'mr:'..id, code)
if redis.call('ZREM', ok(code), id) == 0 then return 0 end
if redis.call('HINCRBY', P..'m', id, -1) <= 0 then redis.call('HDEL', P..'m', id) end
local author = redis.call('HGET', ak(code), id) or '                 ?'
redis.call('HDEL', ak(code), id)
local r = rk(code)
if redis.call('EXISTS', r) == 0 then return 1 end
redis.call('PUBLISH', P..'gone', code..' '..id)
if redis.call('HGET', r, 'pair') then
  append(code, ARGV[5], {'k', 'stranger', 'n', name_of(author), 'w', id, 'at', ARGV[3]})
else
  announce(code, false, name_of(author), ARGV[5], ARGV[3], id)
end
if redis.call('HGET', r, 'public') == '0' and redis.call('ZCARD', ok(code)) == 0 then
  -- The room's place among its holder's is given back as it closes.
  local holder = redis.call('HGET', r, 'holder')
  if holder and redis.call('DECR', hk(holder)) <= 0 then redis.call('DEL', hk(holder)) end
  redis.call('DEL', r, sk(code), ok(code), ak(code), bk(code, true), bk(code, false))
  redis.call('ZREM', P..'batches', code)
  redis.call('SREM', P..'private', code)
  redis.call('SREM', P..'pairs', code)
  redis.call('PUBLISH', P..'ev', code)
  return 2
end
return 1
"#;

/// ARGV: code, member, now, window ms, limit, maxlen, text.
/// {1} sent, {-1} not a member, {-2, wait ms} too fast, {-3} no such room.
const SAY: &str = r#"
local code, id, now, window = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('EXISTS', rk(code)) == 0 then return {-3} end
local author = redis.call('HGET', ak(code), id)
if not author or not redis.call('ZSCORE', ok(code), id) then return {-1} end
local rate = P..'rate:'..id
redis.call('ZREMRANGEBYSCORE', rate, '-inf', now - window)
local count = redis.call('ZCARD', rate)
if count >= tonumber(ARGV[5]) then
  local oldest = redis.call('ZRANGE', rate, 0, 0, 'WITHSCORES')
  return {-2, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', rate, now, now..':'..count)
redis.call('PEXPIRE', rate, window)
append(code, ARGV[6], {'k', 'msg', 's', string.sub(author, 1, 16), 'n', name_of(author),
  't', ARGV[7], 'at', ARGV[3]})
return {1}
"#;

/// ARGV: code, member, new name, maxlen, at. 1 when renamed and announced.
const RENAME: &str = r#"
local code, id, to = ARGV[1], ARGV[2], ARGV[3]
local author = redis.call('HGET', ak(code), id)
if not author or redis.call('EXISTS', rk(code)) == 0 then return 0 end
local from = name_of(author)
if from == to then return 0 end
redis.call('HSET', ak(code), id, string.sub(author, 1, 17)..to)
append(code, ARGV[4], {'k', 'renamed', 'f', from, 'n', to, 'at', ARGV[5]})
return 1
"#;

/// ARGV: code, now, maxlen. Announces a room's gathered joins and leaves
/// as one notice each, once (whichever server gets there first).
const FLUSH: &str = r#"
local code = ARGV[1]
if redis.call('ZREM', P..'batches', code) == 0 then return 0 end
if redis.call('EXISTS', rk(code)) == 0 then
  redis.call('DEL', bk(code, true), bk(code, false))
  return 0
end
for _, joined in ipairs({true, false}) do
  local names = redis.call('LRANGE', bk(code, joined), 0, -1)
  redis.call('DEL', bk(code, joined))
  if #names > 0 then
    local shown = #names
    if shown > 3 then shown = 2 end
    local list = {}
    for i = 1, shown do list[i] = names[i] end
    local kind = 'left'
    if joined then kind = 'joined' end
    append(code, ARGV[3], {'k', kind, 'n', table.concat(list, '\n'), 'm', #names - shown,
      'at', ARGV[2]})
  end
end
return 1
"#;

/// ARGV: member, author, expiry, cap, now. 1 queued, 0 kept their place, -1 full.
const QUEUE: &str = r#"
local id, now = ARGV[1], tonumber(ARGV[5])
local w = P..'w:'..id
local matched = redis.call('HGET', w, 'matched')
if redis.call('EXISTS', w) == 1 and (not matched or matched == '') then
  redis.call('HSET', w, 'author', ARGV[2])
  return 0
end
if redis.call('ZCARD', P..'q') >= tonumber(ARGV[4]) then return -1 end
local live = tonumber(redis.call('HGET', w, 'live') or '0')
local opened = 0
if live > now then opened = 1 end
redis.call('HSET', w, 'author', ARGV[2], 'matched', '', 'opened', opened, 'live', live)
redis.call('EXPIRE', w, TTL)
redis.call('ZADD', P..'q', redis.call('INCR', P..'qseq'), id)
redis.call('ZADD', P..'qx', ARGV[3], id)
return 1
"#;

/// ARGV: now, first epoch, maxlen, expiry, max pair rooms, candidate codes...
/// Pairs the two who waited longest among those ready, as long as codes
/// last; returns the new rooms' codes.
const PAIR: &str = r#"
local now = tonumber(ARGV[1])
local ready = {}
local wanted = 2 * (#ARGV - 5)
for _, id in ipairs(redis.call('ZRANGE', P..'q', 0, -1)) do
  if #ready >= wanted then break end
  local w = redis.call('HMGET', P..'w:'..id, 'author', 'matched', 'opened', 'live')
  if not w[1] then
    redis.call('ZREM', P..'q', id)
  elseif (not w[2] or w[2] == '') and (w[3] ~= '1' or tonumber(w[4] or '0') > now) then
    table.insert(ready, {id, w[1]})
  end
end
local out = {}
local ci = 6
local i = 1
while i + 1 <= #ready do
  local a, b = ready[i], ready[i + 1]
  i = i + 2
  if redis.call('SCARD', P..'pairs') >= tonumber(ARGV[5]) then
    unqueue(a[1])
    unqueue(b[1])
  else
    local code = nil
    while ci <= #ARGV and not code do
      if redis.call('EXISTS', rk(ARGV[ci])) == 0 then code = ARGV[ci] end
      ci = ci + 1
    end
    if not code then break end
    new_room(code, ARGV[2], a[1]..' '..b[1])
    for _, m in ipairs({a, b}) do
      enter_member(code, m[1], m[2], ARGV[4], false, ARGV[3], ARGV[1])
    end
    append(code, ARGV[3], {'k', 'paired', 'n', name_of(a[2])..'\n'..name_of(b[2]), 'at', ARGV[1]})
    for _, m in ipairs({a, b}) do
      redis.call('ZREM', P..'q', m[1])
      redis.call('HSET', P..'w:'..m[1], 'matched', code)
      redis.call('ZADD', P..'qx', ARGV[4], m[1])
      redis.call('PUBLISH', P..'pair', m[1]..' '..code)
    end
    table.insert(out, code)
  end
end
return out
"#;

/// ARGV: member. Leaves the queue or forgets a match.
const CANCEL: &str = r#"
return unqueue(ARGV[1])
"#;

/// ARGV: member, now. The waiter goes if their time ran out and no waiting
/// page holds them.
const UNQUEUE: &str = r#"
local id, now = ARGV[1], tonumber(ARGV[2])
local s = redis.call('ZSCORE', P..'qx', id)
if s and tonumber(s) > now then return 0 end
local live = tonumber(redis.call('HGET', P..'w:'..id, 'live') or '0')
if live > now then
  redis.call('ZADD', P..'qx', live, id)
  return 0
end
return unqueue(id)
"#;

/// ARGV: member, live until (ms, 0 when the last page closed), expiry.
/// Refreshes a waiter whose page is open; returns their match ('' if none),
/// or false when they are no longer queued.
const WAITING: &str = r#"
local w = P..'w:'..ARGV[1]
if redis.call('EXISTS', w) == 0 then return false end
if ARGV[2] ~= '0' then redis.call('HSET', w, 'opened', 1) end
redis.call('EXPIRE', w, TTL)
redis.call('HSET', w, 'live', ARGV[2])
redis.call('ZADD', P..'qx', ARGV[3], ARGV[1])
return redis.call('HGET', w, 'matched') or ''
"#;

/// ARGV: key (a member, or a kind and a client address), server, most, +1
/// or -1. Counts what `key` holds open (streams) per server, over servers
/// that are alive (`srv:{server}` exists): 0 when one more would be too
/// many, 1 when counted.
const STREAMS: &str = r#"
local key = P..'st:'..ARGV[1]
if tonumber(ARGV[4]) > 0 then
  local total = 0
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    if redis.call('EXISTS', P..'srv:'..all[i]) == 1 then
      total = total + tonumber(all[i + 1])
    else
      redis.call('HDEL', key, all[i])
    end
  end
  if total >= tonumber(ARGV[3]) then return 0 end
end
if redis.call('HINCRBY', key, ARGV[2], ARGV[4]) <= 0 then redis.call('HDEL', key, ARGV[2]) end
redis.call('EXPIRE', key, TTL)
return 1
"#;

/// Every script, loaded once (the client sends each by its hash).
pub struct Scripts {
    pub enter: Script,
    pub create: Script,
    pub leave: Script,
    pub say: Script,
    pub rename: Script,
    pub queue: Script,
    pub pair: Script,
    pub cancel: Script,
    pub unqueue: Script,
    pub waiting: Script,
    pub flush: Script,
    pub streams: Script,
}

impl Scripts {
    pub fn new() -> Self {
        let script = |body: &str| Script::new(&format!("{PRELUDE}\n{body}"));
        Self {
            enter: script(ENTER),
            create: script(CREATE),
            leave: script(LEAVE),
            say: script(SAY),
            rename: script(RENAME),
            queue: script(QUEUE),
            pair: script(PAIR),
            cancel: script(CANCEL),
            unqueue: script(UNQUEUE),
            waiting: script(WAITING),
            flush: script(FLUSH),
            streams: script(STREAMS),
        }
    }
}

/// Key and channel names, as the scripts spell them.
pub mod keys {
    use crate::chat::{MemberId, RoomCode};

    /// Seconds a room's keys live after its last use (as `TTL` in the scripts).
    pub const TTL: i64 = 86_400;
    pub const EVENTS: &str = "lc:ev";
    pub const PAIRS: &str = "lc:pair";
    pub const GONE: &str = "lc:gone";
    pub const BATCHES: &str = "lc:batches";
    pub const PRESENCE: &str = "lc:p";
    pub const MEMBERS: &str = "lc:m";
    pub const PRIVATE: &str = "lc:private";
    pub const PAIR_ROOMS: &str = "lc:pairs";
    pub const QUEUE: &str = "lc:q";
    pub const QUEUE_EXPIRY: &str = "lc:qx";

    pub fn room(code: &RoomCode) -> String {
        format!("lc:r:{code}")
    }
    pub fn log(code: &RoomCode) -> String {
        format!("lc:s:{code}")
    }
    pub fn present(code: &RoomCode) -> String {
        format!("lc:o:{code}")
    }
    pub fn authors(code: &RoomCode) -> String {
        format!("lc:a:{code}")
    }
    pub fn rooms_of(member: MemberId) -> String {
        format!("lc:mr:{}", member.0)
    }
    pub fn waiter(member: MemberId) -> String {
        format!("lc:w:{}", member.0)
    }
    /// Exists while the server is alive.
    pub fn server(id: &str) -> String {
        format!("lc:srv:{id}")
    }
}
