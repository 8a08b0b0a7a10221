-- stats_record.lua: records the events of one update (Stats.Record). The
-- update's commit records them itself (inbox_commit.lua); this is for the
-- events of no commit.
--
-- KEYS: stats:day:<date>, stats:seen, stats:q:<id>, stats:q:<id>:askers,
--       stats:qs, stats:qexp, stats:u:<user>, stats:taught (see
--       stats_record in lib/stats.lua)
-- ARGV: date, user, message, day_expires, id, text, lang, expires, now,
--       then pairs of a counter of the day and what to add to it (see
--       stats_record)
-- Returns: 1.
-- Uses: stats
stats_record(KEYS, ARGV)
return 1
