-- keys.lua: the key schema of keys.go, for the scripts that derive a key
-- from what they read (the chat a claim picks, the broadcasts /forget
-- walks, the unanswered questions a list or /forget walks). Each function
-- takes the store's prefix P first.
local key = {}
function key.seen(P, period) return P .. 'seen:' .. period end
function key.queue(P, chat) return P .. 'q:' .. chat end
function key.lock(P, chat) return P .. 'lock:' .. chat end
function key.claim(P, token) return P .. 'claim:' .. token end
function key.outbox(P, chat) return P .. 'out:' .. chat end
function key.sent(P, chat) return P .. 'sent:' .. chat end
function key.turn(P, chat) return P .. 'turn:' .. chat end
function key.try(P, chat) return P .. 'try:' .. chat end
function key.chat_pace(P, chat) return P .. 'lim:chat:' .. chat end
function key.state(P, chat, user) return P .. 'state:' .. chat .. ':' .. user end
function key.broadcast(P, id) return P .. 'bc:' .. id end
function key.todo(P, id) return P .. 'bc:' .. id .. ':todo' end
function key.leases(P, id) return P .. 'bc:' .. id .. ':lease' end
function key.tries(P, id) return P .. 'bc:' .. id .. ':try' end
function key.outcomes(P, id) return P .. 'bc:' .. id .. ':out' end
function key.question(P, id) return P .. 'stats:q:' .. id end
function key.askers(P, id) return P .. 'stats:q:' .. id .. ':askers' end
