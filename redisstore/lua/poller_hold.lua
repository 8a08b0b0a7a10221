-- poller_hold.lua: takes the poller lease for owner, or renews it when
-- owner holds it (PollerLease.Hold). The lease runs out by the server's
-- clock, so that it does on the embedded server too, whose keys expire
-- only when told to; the key expires as well, for cleaning.
--
-- KEYS: poller
-- ARGV: owner, the lease (ms)
-- Returns: 0 when owner holds the lease now, else the ms left of another
--          owner's lease.
-- Uses: time
local poller = KEYS[1]
local owner, lease = ARGV[1], tonumber(ARGV[2])
local now = server_ms()
local held = redis.call('GET', poller)
if held then
	local holder, expiry = string.match(held, '^(.*):(%d+)$')
	expiry = tonumber(expiry) or 0
	if holder ~= owner and expiry > now then return expiry - now end
end
redis.call('SET', poller, owner .. ':' .. (now + lease), 'PX', lease)
return 0
