-- A: code, epoch, maxlen, expiry, at, the pairing notice's kind, plan (5),
-- a, a's author, b, b's author. Makes the room of two matched strangers
-- (`pair.lua` held them), both in it, the pairing told: {1, due} made,
-- {0} the code is taken. A pair room's door opens to its two members' own
-- passes (`rules::Door::Only`); its names need not differ
-- (`rules::names_unique`), so it keeps no name index.
local code, a, b = A[1], A[12], A[14]
if redis.call('EXISTS', rk(code)) == 1 then return {0} end
new_room(code, A[2], a..' '..b, {a, b})
for _, m in ipairs({{a, A[13]}, {b, A[15]}}) do
  enter_member(code, m[1], m[2], A[4], A[3], A[5], plan(7), '')
end
append(code, A[3], {'k', A[6], 'a', A[13], 'b', A[15], 'at', A[5]})
return {1, DUE}
