/**
 * The Lua behind every redis store operation: one script, one round trip, atomic.
 *
 * Documents (events, contacts, channels, context) are stored as the JSON text TypeScript wrote
 * and never pass through cjson: cjson turns `[]` into `{}` and reorders keys.
 *
 * Cross-slot note: a conversation's own keys share the hash tag `{<id>}`, but the append, create
 * and update scripts also touch the site's inbox zsets (and list reads the conversation hashes the
 * inbox names), keys they build from a prefix instead of receiving them in KEYS. That is fine on
 * a single Redis node and on Upstash; Redis Cluster would refuse it.
 */
import { RedisScript } from "./redis-driver.ts";

/**
 * KEYS: conv, log, idem.
 * ARGV: 1 id, 2 id as a JSON string, 3 event JSON without its `{`, id or seq, 4 clientId or "",
 * 5 "1" to set lastText, 6 lastText, 7 "1" for a visitor message, 8 channel, 9 createdAt,
 * 10 createdAt in ms, 11 key prefix, 12 the live channels' base (`<base>:<siteId>:<id>` is
 * published to).
 * Answers nil when the conversation does not exist, else { event JSON, 1 when duplicate, assignee or "" }.
 */
export const APPEND = new RedisScript(`
local conv, log, idem = KEYS[1], KEYS[2], KEYS[3]
local siteId = redis.call("HGET", conv, "siteId")
if not siteId then return false end
local clientId = ARGV[4]
if clientId ~= "" then
  local seen = redis.call("HGET", idem, clientId)
  if seen then return { redis.call("LINDEX", log, tonumber(seen) - 1), 1, redis.call("HGET", conv, "assignee") or "" } end
end
-- seq follows the log's length, so LRANGE index = seq - 1 holds whatever lastSeq says.
local seq = string.format("%d", redis.call("LLEN", log) + 1)
local event = '{"id":' .. string.sub(ARGV[2], 1, -2) .. ':' .. seq .. '","seq":' .. seq .. ',' .. ARGV[3]
redis.call("RPUSH", log, event)
if clientId ~= "" then redis.call("HSET", idem, clientId, seq) end
local fields = { "lastSeq", seq, "updatedAt", ARGV[9] }
if ARGV[5] == "1" then
  fields[#fields + 1] = "lastText"
  fields[#fields + 1] = ARGV[6]
end
local inbox = ARGV[11] .. ":inbox:" .. siteId .. ":"
local status = redis.call("HGET", conv, "status")
if ARGV[7] == "1" then
  fields[#fields + 1] = "activeChannel"
  fields[#fields + 1] = ARGV[8]
  -- The visitor wrote again: a resolved thread goes back to the open inbox.
  if status == "resolved" then
    redis.call("ZREM", inbox .. status, ARGV[1])
    status = "open"
    fields[#fields + 1] = "status"
    fields[#fields + 1] = status
  end
end
redis.call("HSET", conv, unpack(fields))
redis.call("ZADD", inbox .. status, ARGV[10], ARGV[1])
redis.call("PUBLISH", ARGV[12] .. ":" .. siteId .. ":" .. ARGV[1], '{"kind":"event","siteId":' .. cjson.encode(siteId) ..
  ',"conversationId":' .. ARGV[2] .. ',"event":' .. event .. '}')
return { event, 0, redis.call("HGET", conv, "assignee") or "" }
`);

/**
 * KEYS: conv, inbox zset of its status, the contact's conversations zset.
 * ARGV: 1 id, 2 updatedAt ms, 3 createdAt ms, 4.. field/value pairs. Answers 0 when it exists.
 */
export const CREATE_CONVERSATION = new RedisScript(`
if redis.call("EXISTS", KEYS[1]) == 1 then return 0 end
redis.call("HSET", KEYS[1], unpack(ARGV, 4))
redis.call("ZADD", KEYS[2], ARGV[2], ARGV[1])
redis.call("ZADD", KEYS[3], ARGV[3], ARGV[1])
return 1
`);

/**
 * KEYS: conv. ARGV: 1 key prefix, 2 id, 3 updatedAt ms, 4 "1" to drop the assignee,
 * 5.. field/value pairs. Answers the HGETALL after the patch, nil when there is no conversation.
 */
export const UPDATE_CONVERSATION = new RedisScript(`
local conv = KEYS[1]
local siteId = redis.call("HGET", conv, "siteId")
if not siteId then return false end
local before = redis.call("HGET", conv, "status")
local owner = redis.call("HGET", conv, "contactId")
if #ARGV > 4 then redis.call("HSET", conv, unpack(ARGV, 5)) end
local newOwner = redis.call("HGET", conv, "contactId")
if newOwner ~= owner then
  -- A merge moved the thread: move it in the contacts' indexes too, keeping its place in time.
  local from = ARGV[1] .. ":contact:" .. owner .. ":convs"
  local score = redis.call("ZSCORE", from, ARGV[2]) or ARGV[3]
  redis.call("ZREM", from, ARGV[2])
  redis.call("ZADD", ARGV[1] .. ":contact:" .. newOwner .. ":convs", score, ARGV[2])
end
if ARGV[4] == "1" then redis.call("HDEL", conv, "assignee") end
local after = redis.call("HGET", conv, "status")
local inbox = ARGV[1] .. ":inbox:" .. siteId .. ":"
if before ~= after then redis.call("ZREM", inbox .. before, ARGV[2]) end
redis.call("ZADD", inbox .. after, ARGV[3], ARGV[2])
return redis.call("HGETALL", conv)
`);

/**
 * KEYS: the inbox zsets to merge (one status, or all three). ARGV: 1 key prefix, 2 limit.
 * Answers up to `limit` HGETALL replies, newest updatedAt first.
 */
export const LIST_CONVERSATIONS = new RedisScript(`
local limit = tonumber(ARGV[2])
local picked = {}
for _, key in ipairs(KEYS) do
  local flat = redis.call("ZREVRANGE", key, 0, limit - 1, "WITHSCORES")
  for i = 1, #flat, 2 do picked[#picked + 1] = { flat[i], tonumber(flat[i + 1]) } end
end
-- Ties break like ZREVRANGE does within one zset: member descending.
table.sort(picked, function(a, b)
  if a[2] ~= b[2] then return a[2] > b[2] end
  return a[1] > b[1]
end)
local out = {}
for i = 1, math.min(limit, #picked) do
  local hash = redis.call("HGETALL", ARGV[1] .. ":{" .. picked[i][1] .. "}:conv")
  if #hash > 0 then out[#out + 1] = hash end
end
return out
`);

/** KEYS: hash. Answers the flat field/value list (empty when missing). */
export const HGETALL = new RedisScript(`return redis.call("HGETALL", KEYS[1])`);

/** KEYS: key. Answers the string or nil. */
export const GET = new RedisScript(`return redis.call("GET", KEYS[1])`);

/** KEYS: hash. ARGV: field. */
export const HGET = new RedisScript(`return redis.call("HGET", KEYS[1], ARGV[1])`);

/** KEYS: key. ARGV: value. */
export const SET = new RedisScript(`
redis.call("SET", KEYS[1], ARGV[1])
return 1
`);

/** KEYS: identity. ARGV: contact id. Answers the owner after the claim: the first claim wins. */
export const CLAIM = new RedisScript(`
redis.call("SET", KEYS[1], ARGV[1], "NX")
return redis.call("GET", KEYS[1])
`);

/** KEYS: list. ARGV: start, stop (inclusive). */
export const LRANGE = new RedisScript(`return redis.call("LRANGE", KEYS[1], ARGV[1], ARGV[2])`);

/** KEYS: zset. Answers every member, lowest score first. */
export const ZRANGE = new RedisScript(`return redis.call("ZRANGE", KEYS[1], 0, -1)`);

/**
 * KEYS: window. ARGV: window ms. A fixed window: the first hit starts the clock.
 * Answers { count, ms until reset }.
 */
export const HIT = new RedisScript(`
local count = redis.call("INCR", KEYS[1])
local ttl = redis.call("PTTL", KEYS[1])
if count == 1 or ttl < 0 then
  redis.call("PEXPIRE", KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`);

/**
 * KEYS: mark. ARGV: value, ttl ms. Raises the number to at least value (refreshing its expiry
 * when it rises); answers the mark afterwards, 0 when there is none.
 */
export const RAISE_MARK = new RedisScript(`
local current = tonumber(redis.call("GET", KEYS[1]) or "0") or 0
local value = tonumber(ARGV[1])
if value > current then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
  return value
end
return current
`);

/** KEYS: key. ARGV: value, ttl ms. */
export const PUT_ONCE = new RedisScript(`
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
return 1
`);

/** KEYS: key. Answers the value and deletes it in the same step, so only one taker gets it. */
export const TAKE_ONCE = new RedisScript(`return redis.call("GETDEL", KEYS[1])`);

/**
 * KEYS: the site's presence hash. ARGV: email, "status:expiresAtMs" or "" to clear, now ms.
 * Entries past their expiry are dropped on the way, so the hash stays as small as the team.
 */
export const SET_PRESENCE = new RedisScript(`
local all = redis.call("HGETALL", KEYS[1])
for i = 1, #all, 2 do
  local expires = tonumber(string.match(all[i + 1], ":(%d+)$"))
  if not expires or expires <= tonumber(ARGV[3]) then redis.call("HDEL", KEYS[1], all[i]) end
end
if ARGV[2] == "" then redis.call("HDEL", KEYS[1], ARGV[1]) else redis.call("HSET", KEYS[1], ARGV[1], ARGV[2]) end
return 1
`);

/** ARGV: channel, message. Answers the number of receivers. */
export const PUBLISH = new RedisScript(`return redis.call("PUBLISH", ARGV[1], ARGV[2])`);

/**
 * KEYS: callback hash, the zset of its new status, its conversation's callbacks zset.
 * ARGV: 1 expected version, 2 new version, 3 document JSON, 4 id, 5 status, 6 score in its
 * status zset, 7 createdAt ms, 8 the site's status-zset prefix (`<prefix>:cbs:<site>:`).
 * Answers 1 when saved, 0 when the stored version is not the expected one.
 */
export const SAVE_CALLBACK = new RedisScript(`
local cb = KEYS[1]
if (redis.call("HGET", cb, "v") or "0") ~= ARGV[1] then return 0 end
local before = redis.call("HGET", cb, "status")
if before and before ~= ARGV[5] then redis.call("ZREM", ARGV[8] .. before, ARGV[4]) end
redis.call("HSET", cb, "doc", ARGV[3], "v", ARGV[2], "status", ARGV[5])
redis.call("ZADD", KEYS[2], ARGV[6], ARGV[4])
redis.call("ZADD", KEYS[3], ARGV[7], ARGV[4])
return 1
`);

/**
 * KEYS: status zsets of one site. ARGV: 1 limit, 2 "asc" (by score) or "desc", 3 the callback
 * hash prefix (`<prefix>:cb:`). Answers the documents, in that order across the zsets.
 */
export const LIST_CALLBACKS = new RedisScript(`
local limit, asc = tonumber(ARGV[1]), ARGV[2] == "asc"
local picked = {}
for _, key in ipairs(KEYS) do
  local flat = asc and redis.call("ZRANGE", key, 0, limit - 1, "WITHSCORES")
    or redis.call("ZREVRANGE", key, 0, limit - 1, "WITHSCORES")
  for i = 1, #flat, 2 do picked[#picked + 1] = { flat[i], tonumber(flat[i + 1]) } end
end
table.sort(picked, function(a, b)
  if a[2] ~= b[2] then
    if asc then return a[2] < b[2] end
    return a[2] > b[2]
  end
  return a[1] < b[1]
end)
local out = {}
for i = 1, math.min(limit, #picked) do
  out[#out + 1] = redis.call("HGET", ARGV[3] .. picked[i][1], "doc")
end
return out
`);

/** KEYS: a conversation's callbacks zset. ARGV: the callback hash prefix. Newest first. */
export const CONVERSATION_CALLBACKS = new RedisScript(`
local out = {}
for _, id in ipairs(redis.call("ZREVRANGE", KEYS[1], 0, -1)) do
  out[#out + 1] = redis.call("HGET", ARGV[1] .. id, "doc")
end
return out
`);

/** No keys: answers that Redis runs scripts, the path every other operation takes. */
export const PING = new RedisScript(`return redis.call("PING")`);
