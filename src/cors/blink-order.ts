import type { HeaderList, Initiator } from './types.js';

/**
 * The order in which Chromium's network service sees a page's request headers, which decides the header named in
 * "Request header field X is not allowed…" when several are refused (PreflightResult checks them in header order).
 *
 * Blink keeps request headers in an HTTPHeaderMap: a WTF hash table keyed by the case-folded name, iterated in
 * slot order. So the order is that of the slots: the name's hash (rapidhash over the case-folded UTF-16 name,
 * third_party/rapidhash with WTF's CaseFoldingHashReader, low 24 bits) masked by the table size, with WTF's double
 * hashing on collisions. Content-Type is set apart and comes last. Measured in Chromium 156 by test/conformance
 * (a Playwright HAR's renderer-side header list shows the same slot order). UNCERTAIN: which entries Blink adds
 * besides the page's, and in which order, is inferred from the measured orders (which collisions displace which
 * name), not read in Blink's source.
 */

const MASK64 = (1n << 64n) - 1n;
const SECRET = [0x2d358dccaa6c78a5n, 0x8bb84b93962eacc9n, 0x4b33a62ed433d4a3n] as const;
const SEED = 0xbdd89aa982704029n;

function mul128(a: bigint, b: bigint): [bigint, bigint] {
  const r = a * b;
  return [r & MASK64, (r >> 64n) & MASK64];
}

function mix(a: bigint, b: bigint): bigint {
  const [lo, hi] = mul128(a, b);
  return lo ^ hi;
}

function read(bytes: Uint8Array, at: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!);
  return v;
}

/** rapidhash (Nicolas De Carli, after wyhash) with Chromium's default seed and secrets. */
function rapidhash(bytes: Uint8Array): bigint {
  const n = bytes.length;
  const len = BigInt(n);
  let seed = SEED ^ mix(SEED ^ SECRET[0], SECRET[1]) ^ len;
  let a: bigint;
  let b: bigint;
  if (n <= 16) {
    if (n >= 4) {
      const last = n - 4;
      a = (read(bytes, 0, 4) << 32n) | read(bytes, last, 4);
      const delta = (n & 24) >> (n >> 3);
      b = (read(bytes, delta, 4) << 32n) | read(bytes, last - delta, 4);
    } else if (n > 0) {
      a = (BigInt(bytes[0]!) << 56n) | (BigInt(bytes[n >> 1]!) << 32n) | BigInt(bytes[n - 1]!);
      b = 0n;
    } else {
      a = b = 0n;
    }
  } else {
    let i = n;
    let p = 0;
    if (i > 48) {
      let see1 = seed;
      let see2 = seed;
      do {
        seed = mix(read(bytes, p, 8) ^ SECRET[0], read(bytes, p + 8, 8) ^ seed);
        see1 = mix(read(bytes, p + 16, 8) ^ SECRET[1], read(bytes, p + 24, 8) ^ see1);
        see2 = mix(read(bytes, p + 32, 8) ^ SECRET[2], read(bytes, p + 40, 8) ^ see2);
        p += 48;
        i -= 48;
      } while (i >= 48);
      seed ^= see1 ^ see2;
    }
    if (i > 16) {
      seed = mix(read(bytes, p, 8) ^ SECRET[2], read(bytes, p + 8, 8) ^ seed ^ SECRET[1]);
      if (i > 32) seed = mix(read(bytes, p + 16, 8) ^ SECRET[2], read(bytes, p + 24, 8) ^ seed);
    }
    a = read(bytes, p + i - 16, 8);
    b = read(bytes, p + i - 8, 8);
  }
  a ^= SECRET[1];
  b ^= seed;
  [a, b] = mul128(a, b);
  return mix(a ^ SECRET[0] ^ len, b ^ SECRET[1]);
}

const hashes = new Map<string, number>();

/** WTF CaseFoldingHash of a header name (ASCII names fold to lowercase), cached: names repeat. */
export function caseFoldingHash(name: string): number {
  const lower = name.toLowerCase();
  let h = hashes.get(lower);
  if (h !== undefined) return h;
  const bytes = new Uint8Array(lower.length * 2);
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    bytes[2 * i] = c & 0xff;
    bytes[2 * i + 1] = c >> 8;
  }
  h = Number(rapidhash(bytes) & 0xffffffn) || 0x800000;
  if (hashes.size < 10_000) hashes.set(lower, h);
  return h;
}

/** WTF's DoubleHash, the probe step for a colliding key. */
function doubleHash(key: number): number {
  let k = key >>> 0;
  k = (~k + (k >>> 23)) >>> 0;
  k = (k ^ (k << 12)) >>> 0;
  k = (k ^ (k >>> 7)) >>> 0;
  k = (k ^ (k << 2)) >>> 0;
  k = (k ^ (k >>> 20)) >>> 0;
  return k;
}

/** Inserts names into a WTF-style open-addressing table (8 slots, doubled when half full) and lists the slots. */
function slotOrder(names: readonly string[]): string[] {
  let size = 8;
  let table: (string | undefined)[] = new Array<string | undefined>(size);
  let count = 0;
  const place = (t: (string | undefined)[], mask: number, name: string) => {
    const h = caseFoldingHash(name);
    let i = h & mask;
    let step = 0;
    while (t[i] !== undefined) {
      if (step === 0) step = (1 | doubleHash(h)) >>> 0;
      i = (i + step) & mask;
    }
    t[i] = name;
  };
  const seen = new Set<string>();
  for (const name of names) {
    const lower = name.toLowerCase();
    if (seen.has(lower)) continue;
    seen.add(lower);
    place(table, size - 1, name);
    count++;
    if (count * 2 >= size) {
      const old = table;
      size *= 2;
      table = new Array<string | undefined>(size);
      for (const n of old) if (n !== undefined) place(table, size - 1, n);
    }
  }
  return table.filter((n): n is string => n !== undefined);
}

/**
 * Entries Blink's map holds besides the page's own headers, inserted after them. For fetch() they are the five a
 * Playwright HAR lists for every fetch (Referer, User-Agent and the default UA client hints) in this very slot order;
 * for XMLHttpRequest only Referer and User-Agent fit the measured orders.
 */
const FETCH_EXTRAS = ['referer', 'user-agent', 'sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform'];
const XHR_EXTRAS = ['referer', 'user-agent'];

/**
 * Reorders a page's header list (names and values as the script set them, duplicates already combined) into the
 * order Chromium's network service receives it: the page's headers (fetch: in FetchHeaderList order, sorted by
 * name; XMLHttpRequest: in its own header map's slot order) go into Blink's map, then Blink's own entries; the map
 * is read in slot order; Content-Type comes last. The default `Accept: *\/*` is added later and is safelisted.
 */
export function chromiumHeaderOrder(headers: HeaderList, initiator: Initiator): [string, string][] {
  const byName = new Map<string, readonly [string, string]>();
  for (const h of headers) byName.set(h[0].toLowerCase(), h);
  const page = headers.map(([n]) => n).filter((n) => n.toLowerCase() !== 'content-type');
  const order =
    initiator === 'fetch'
      ? slotOrder([...page.sort((a, b) => cmp(a.toLowerCase(), b.toLowerCase())), ...FETCH_EXTRAS])
      : slotOrder([...slotOrder(page), ...XHR_EXTRAS]);
  const out: [string, string][] = [];
  for (const name of order) {
    const h = byName.get(name.toLowerCase());
    if (h) out.push([h[0], h[1]]);
  }
  const ct = byName.get('content-type');
  if (ct) out.push([ct[0], ct[1]]);
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
