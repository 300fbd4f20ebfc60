/**
 * Who is the same person across sessions, and which sessions form one series. Decided here, once,
 * as SQL expressions that the replica computes itself (virtual generated columns of migration
 * 0012, indexed): every way a person reaches the replica — a Wix or Plandocket pull, a CSV import,
 * a walk-in typed at the desk — gets the same key without any code path having to remember it.
 *
 * The person rule, strongest identifier first; the first one present decides and the others are
 * not consulted (two bookings with different contact ids are two people even with one email):
 * 1. the provider's contact id: `c:<provider>:<id>` (contact ids mean nothing across providers);
 * 2. the email, without spaces and in lower case: `e:<email>` (the same for every provider and CSV);
 * 3. the phone's digits (spaces, dashes, dots, slashes, brackets and a leading + dropped), at
 *    least 6 of them: `p:<digits>`;
 * 4. nothing else: never the name — two people called "Anna Schmidt" are two people. A person
 *    with none of these has no history (the desk shows none rather than a guess).
 */

const EMAIL = `lower(replace(replace(trim(email), ' ', ''), char(9), ''))`
const PHONE = `replace(replace(replace(replace(replace(replace(replace(trim(phone), ' ', ''), '-', ''), '.', ''), '/', ''), '(', ''), ')', ''), '+', '')`

/** participations.person_key */
export const PERSON_KEY_SQL = `CASE
  WHEN contact_id IS NOT NULL AND trim(contact_id) <> '' THEN 'c:' || provider || ':' || trim(contact_id)
  WHEN email IS NOT NULL AND instr(email, '@') > 1 THEN 'e:' || ${EMAIL}
  WHEN phone IS NOT NULL AND length(${PHONE}) >= 6 AND ${PHONE} NOT GLOB '*[^0-9]*' THEN 'p:' || ${PHONE}
END`

/**
 * sessions.series_key: a Wix course or class series by its schedule (classes keep it in the raw
 * event only), anything else (CSV rosters, Plandocket events) by its title within the provider.
 */
export const SERIES_KEY_SQL = `provider || ':' || coalesce(schedule_id,
  CASE WHEN json_valid(raw) THEN json_extract(raw, '$.scheduleId') END,
  't:' || lower(trim(title)))`
