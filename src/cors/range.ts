/**
 * Fetch #cors-safelisted-request-header `range`: exactly one `bytes=start-[end]` range with a start (no suffix range
 * `bytes=-500`), no whitespace, no list, end not before start. Chromium parses it with net::HttpUtil::ParseRangeHeader
 * (unit compared case-insensitively, int64 numbers) and rejects anything else.
 */
export function isSafelistedRange(value: string): boolean {
  const m = /^bytes=([0-9]+)-([0-9]*)$/i.exec(value);
  if (!m) return false;
  const start = m[1]!;
  const end = m[2]!;
  if (!fitsInt64(start) || (end !== '' && !fitsInt64(end))) return false;
  if (end !== '' && BigInt(end) < BigInt(start)) return false;
  return true;
}

const INT64_MAX = 9223372036854775807n;

function fitsInt64(digits: string): boolean {
  if (digits.length < 19) return true;
  return BigInt(digits) <= INT64_MAX;
}
