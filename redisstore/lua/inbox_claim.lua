-- inbox_claim.lua: takes the lease of the ready chat that may be claimed
-- since longest and that nobody holds (Inbox.Claim); sent again after a
-- lost reply, it answers the job it took.
--
-- KEYS: ready, claim:<token>
-- ARGV: prefix, token (the new lease), lease (ms)
-- Returns: the job of claim.lua's job, or false when no chat is ready.
-- Derives: the keys of the chat it picks, by keys.lua.
-- Uses: keys, time, lease, claim
local ready, claim_key = KEYS[1], KEYS[2]
local P, token, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = server_ms()
return claimed(P, claim_key, token, now) or claim(P, ready, claim_key, token, lease, now)
