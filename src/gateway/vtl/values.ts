// The value model the VTL engine computes with. API Gateway runs Apache Velocity on the JVM, so what a template
// prints depends on Java types: a JSON object from $input.path is a LinkedHashMap (prints `{a=1, b=x}`), a JSON
// array is json-smart's JSONArray (prints compact JSON), a VTL map literal is a HashMap (prints in hash order),
// `2.0` from a body is a Double (prints `2.0`) while `2` is an Integer. Plain JS values cannot tell these apart,
// hence the small set of classes below.

/** A java.lang.Double. Integers stay plain JS numbers (always integral) or bigint when they leave the safe range. */
export class JDouble {
  /** `exact`: the digits of a java.math.BigDecimal, which prints them as written. */
  constructor(
    readonly v: number,
    readonly exact?: string,
  ) {}
  valueOf(): number {
    return this.v;
  }
}

export type Scalar = null | string | number | bigint | boolean | JDouble;
export type Value = Scalar | VMap | VList | VEntry | HostObject;

/** Objects with behaviour of their own ($input, $util, $foreach, #define blocks). */
export abstract class HostObject {
  abstract readonly javaClass: string;
  /** undefined: no such property (Velocity then yields null). */
  getProperty(_name: string): Value | undefined {
    return undefined;
  }
  /** undefined: no such method (Velocity then yields null). */
  callMethod(_name: string, _args: readonly Value[]): Value | undefined {
    return undefined;
  }
  abstract toJavaString(): string;
}

/** Thrown by emulated Java methods; the renderer turns it into a template failure, as Velocity's MethodInvocationException. */
export class JavaException extends Error {
  constructor(
    readonly javaClass: string,
    readonly detail: string,
  ) {
    super(detail ? `${javaClass}: ${detail}` : javaClass);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Maps

interface MapEntry {
  key: Value;
  value: Value;
  nk: string;
  /** Spread Java hash, computed when a HashMap is first iterated. */
  hash: number | undefined;
}

export type MapOrder = 'hash' | 'linked';

/**
 * java.util.HashMap ('hash') or LinkedHashMap ('linked'). HashMap iteration order is reproduced because templates
 * iterate `keySet()` and AWS's output follows it: the $context key order recorded on AWS (LocalStack snapshot
 * test_apigateway_sqs.snapshot.json, test_sqs_amz_json_protocol) is exactly this order. A HashMap walks its table
 * bucket by bucket; a bucket keeps insertion order (resizes split buckets without reordering), and the table only
 * grows (16, doubling past 0.75 load), so the order is: bucket of the spread hash at the largest capacity reached,
 * then insertion order. Java 8 tree bins (8+ keys in one bucket) are not modelled.
 */
export class VMap {
  /** Renders as "" when printed: API Gateway's $context sub-objects do (same snapshot: "identity": ""). */
  opaque = false;
  /** get() falls back to a case-insensitive match (HTTP header maps). */
  caseInsensitive = false;
  /** When set, a key may be put once per render ("Overrides are final", AWS override docs); names it in errors.
   *  UNCERTAIN: whether put() counts like #set, and whether the response template may set again what the request
   *  template set (allowed here: the count is per render). */
  finalLabel = '';
  private finalKeys: Set<string> | null = null;
  /** Counts changes, so callers can tell whether a template touched the map. */
  version = 0;
  /** Properties readable but not listed by keySet() ($context.authorizer when no authorizer ran). */
  virtual: Map<string, Value> | null = null;
  private readonly index = new Map<string, MapEntry>();
  private capacity = 16;

  constructor(readonly order: MapOrder) {}

  get size(): number {
    return this.index.size;
  }

  private find(key: Value): MapEntry | undefined {
    const e = this.index.get(normKey(key));
    if (e || !this.caseInsensitive || typeof key !== 'string') return e;
    const lower = key.toLowerCase();
    for (const cand of this.index.values()) if (typeof cand.key === 'string' && cand.key.toLowerCase() === lower) return cand;
    return undefined;
  }

  has(key: Value): boolean {
    return this.find(key) !== undefined;
  }

  /** undefined when absent (Java get() would say null; callers that care use has()). */
  get(key: Value): Value | undefined {
    return this.find(key)?.value;
  }

  put(key: Value, value: Value): Value {
    const nk = normKey(key);
    this.version++;
    if (this.finalLabel) {
      this.finalKeys ??= new Set();
      if (this.finalKeys.has(nk)) {
        throw new JavaException(
          'OverrideException',
          `${this.finalLabel}.${keyText(key)} was already overridden; API Gateway applies each override once and answers 5XX otherwise`,
        );
      }
      this.finalKeys.add(nk);
    }
    const existing = this.index.get(nk);
    if (existing) {
      const prev = existing.value;
      existing.value = value;
      return prev;
    }
    this.index.set(nk, { key, value, nk, hash: undefined });
    if (this.index.size > this.capacity * 0.75) this.capacity *= 2;
    return null;
  }

  remove(key: Value): Value {
    const e = this.find(key);
    if (!e) return null;
    this.version++;
    this.index.delete(e.nk);
    return e.value;
  }

  clear(): void {
    this.version++;
    this.index.clear();
  }

  entries(): Array<{ key: Value; value: Value }> {
    const list = [...this.index.values()];
    if (this.order === 'linked' || list.length < 2) return list;
    const mask = this.capacity - 1;
    for (const e of list) e.hash ??= spread(javaHash(e.key));
    // Array.prototype.sort is stable: equal buckets keep insertion order.
    return list.sort((a, b) => ((a.hash as number) & mask) - ((b.hash as number) & mask));
  }

  keys(): Value[] {
    return this.entries().map((e) => e.key);
  }

  values(): Value[] {
    return this.entries().map((e) => e.value);
  }
}

function keyText(key: Value): string {
  return typeof key === 'string' ? key : javaToString(key);
}

/** Java equality of map keys: "1" and 1 are different keys, 1 and 1.0 too. Strings key themselves (the common
 *  case, kept allocation-free); other types get a \u0000-prefixed tag, and so do strings starting with \u0000. */
export function normKey(key: Value): string {
  if (typeof key === 'string') return key.charCodeAt(0) === 0 ? '\u0000s' + key : key;
  if (typeof key === 'number' || typeof key === 'bigint') return '\u0000i' + String(key);
  if (key instanceof JDouble) return '\u0000d' + String(key.v);
  if (typeof key === 'boolean') return key ? '\u0000bt' : '\u0000bf';
  if (key === null) return '\u0000n';
  return '\u0000o' + javaToString(key);
}

/** String.hashCode over UTF-16 units. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export function javaHash(key: Value): number {
  if (typeof key === 'string') return javaStringHash(key);
  if (typeof key === 'number') {
    if (key >= -2147483648 && key <= 2147483647) return key | 0;
    return longHash(BigInt(key));
  }
  if (typeof key === 'bigint') return longHash(key);
  if (typeof key === 'boolean') return key ? 1231 : 1237;
  if (key === null) return 0;
  if (key instanceof JDouble) {
    f64[0] = Number.isNaN(key.v) ? NaN : key.v;
    return (u32[0]! ^ u32[1]!) | 0;
  }
  return javaStringHash(javaToString(key));
}

function longHash(v: bigint): number {
  const x = BigInt.asUintN(64, v);
  return Number(BigInt.asIntN(32, x ^ (x >> 32n)));
}

function spread(h: number): number {
  return (h ^ (h >>> 16)) | 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Lists and entries

/**
 * 'arraylist': java.util.ArrayList (VTL list literals, ranges) and collection views; prints `[a, b]`.
 * 'json': json-smart JSONArray from a parsed body; prints compact JSON (AWS-recorded: `[{"foo":"bar"}]`,
 *         LocalStack snapshot test_apigateway_common.snapshot.json, test_input_path_template_formatting).
 * 'array': a Java array (String.split); Velocity lets templates use it like a list, but it prints as Java does.
 */
export type ListKind = 'arraylist' | 'json' | 'array';

export class VList {
  constructor(
    readonly kind: ListKind,
    readonly items: Value[],
  ) {}
}

let arrayIdentity = 0x1b6d3586;

/** Java arrays print as `[Ljava.lang.String;@1b6d3586`; the hash part is arbitrary on the JVM too. */
export function javaArrayText(): string {
  arrayIdentity = (Math.imul(arrayIdentity, 1103515245) + 12345) >>> 0;
  return `[Ljava.lang.String;@${arrayIdentity.toString(16)}`;
}

/** A Map.Entry from entrySet(). */
export class VEntry {
  constructor(
    readonly map: VMap,
    readonly key: Value,
    public value: Value,
  ) {}
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers

export function isNumeric(v: Value): v is number | bigint | JDouble {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof JDouble;
}

export function toJsNumber(v: number | bigint | JDouble): number {
  return v instanceof JDouble ? v.v : Number(v);
}

/** An integral JS value as Integer/Long (number) or BigInteger (bigint). */
export function intValue(n: number | bigint): number | bigint {
  if (typeof n === 'bigint') return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
  if (Object.is(n, -0)) return 0;
  return n;
}

/** Double.toString: shortest repr, plain between 1e-3 and 1e7, computerized scientific notation elsewhere. */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : s + '.0';
  }
  const [mant = '', exp = '0'] = d.toExponential().split('e');
  return `${mant.includes('.') ? mant : mant + '.0'}E${Number(exp)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Printing

/** Text of a value as printed; null (a null inside a collection, say) prints nothing. */
export function renderText(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  return javaToString(v);
}

/** String.valueOf(v): the JVM's toString of each emulated class. */
export function javaToString(v: Value, seen?: Set<unknown>): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return String(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v instanceof JDouble) return v.exact ?? javaDoubleToString(v.v);
  if (v instanceof VMap) {
    if (v.opaque) return '';
    const guard = seen ?? new Set<unknown>();
    guard.add(v);
    const parts = v.entries().map(
      (e) => `${e.key === v ? '(this Map)' : nested(e.key, guard)}=${e.value === v ? '(this Map)' : nested(e.value, guard)}`,
    );
    guard.delete(v);
    return `{${parts.join(', ')}}`;
  }
  if (v instanceof VList) {
    if (v.kind === 'json') return toJsonText(v);
    if (v.kind === 'array') return javaArrayText();
    const guard = seen ?? new Set<unknown>();
    guard.add(v);
    const parts = v.items.map((x) => (x === v ? '(this Collection)' : nested(x, guard)));
    guard.delete(v);
    return `[${parts.join(', ')}]`;
  }
  if (v instanceof VEntry) return `${javaToString(v.key)}=${javaToString(v.value)}`;
  return v.toJavaString();
}

function nested(v: Value, seen: Set<unknown>): string {
  if ((v instanceof VMap || v instanceof VList) && seen.has(v)) return '(this Collection)';
  return javaToString(v, seen);
}

/**
 * json-smart's JSONValue.toJSONString with its default style (NO_COMPRESS): compact, every string quoted and
 * escaped by JStylerObj.Escape4Web, which also escapes `/` and three control/punctuation ranges. AWS-recorded for
 * printed lists from $input.path; UNCERTAIN that $input.json serializes with the same writer.
 */
export function toJsonText(v: Value, depth = 0): string {
  if (depth > 1000) throw new JavaException('java.lang.StackOverflowError', '');
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return jsonQuote(v);
    case 'number':
      return String(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v instanceof JDouble) return v.exact ?? (Number.isNaN(v.v) ? 'NaN' : Number.isFinite(v.v) ? javaDoubleToString(v.v) : 'null');
  if (v instanceof VMap) {
    return `{${v
      .entries()
      .map((e) => `${jsonQuote(javaToString(e.key))}:${toJsonText(e.value, depth + 1)}`)
      .join(',')}}`;
  }
  if (v instanceof VList) return `[${v.items.map((x) => toJsonText(x, depth + 1)).join(',')}]`;
  return jsonQuote(javaToString(v));
}

export function jsonQuote(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    switch (c) {
      case 0x22:
        rep = '\\"';
        break;
      case 0x5c:
        rep = '\\\\';
        break;
      case 0x2f:
        rep = '\\/';
        break;
      case 0x08:
        rep = '\\b';
        break;
      case 0x0c:
        rep = '\\f';
        break;
      case 0x0a:
        rep = '\\n';
        break;
      case 0x0d:
        rep = '\\r';
        break;
      case 0x09:
        rep = '\\t';
        break;
      default:
        if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || (c >= 0x2000 && c <= 0x20ff)) rep = '\\u' + hex4(c);
    }
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

export function hex4(c: number): string {
  return c.toString(16).toUpperCase().padStart(4, '0');
}

// ---------------------------------------------------------------------------------------------------------------
// Velocity 1.7 semantics for conditions and comparisons

/** A reference used as a condition: null and false are false, everything else (even "" and 0) is true (Velocity 1.7). */
export function truthy(v: Value): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  return true;
}

type JavaKind = 'string' | 'number' | 'boolean' | 'map' | 'list' | 'entry' | 'host';

function kindOf(v: Exclude<Value, null>): JavaKind {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
  }
  if (v instanceof JDouble) return 'number';
  if (v instanceof VMap) return 'map';
  if (v instanceof VList) return 'list';
  if (v instanceof VEntry) return 'entry';
  return 'host';
}

/**
 * Velocity 1.7's `==`: null equals only null, numbers compare by value, same classes by equals(), different
 * classes by their toString(). (References never yield null on API Gateway; see Renderer.ref.)
 */
export function vtlEquals(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if (isNumeric(a) && isNumeric(b)) return compareNumbers(a, b) === 0;
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === kb && ka !== 'host') return javaEquals(a, b);
  return javaToString(a) === javaToString(b);
}

export function compareNumbers(a: number | bigint | JDouble, b: number | bigint | JDouble): number {
  const x = a instanceof JDouble ? a.v : a;
  const y = b instanceof JDouble ? b.v : b;
  if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
  // Mixed bigint/number comparisons are exact in JS.
  if (x < y) return -1;
  if (x > y) return 1;
  if (x == y) return 0; // loose: bigint vs number
  return Number.isNaN(Number(x)) || Number.isNaN(Number(y)) ? NaN : 0;
}

/** Object.equals of the emulated classes (Integer(1) does not equal Double(1.0), as in Java). */
export function javaEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'string' || typeof a === 'boolean') return a === b;
  if (typeof a === 'number' || typeof a === 'bigint') return (typeof b === 'number' || typeof b === 'bigint') && a == b;
  if (a instanceof JDouble) return b instanceof JDouble && (a.v === b.v || (Number.isNaN(a.v) && Number.isNaN(b.v)));
  if (a instanceof VMap) {
    if (!(b instanceof VMap) || a.size !== b.size) return false;
    for (const e of a.entries()) {
      if (!b.has(e.key)) return false;
      const other = b.get(e.key);
      if (!javaEquals(e.value, other === undefined ? null : other)) return false;
    }
    return true;
  }
  if (a instanceof VList) {
    if (!(b instanceof VList) || a.items.length !== b.items.length) return false;
    if (a.kind === 'array' || b.kind === 'array') return false;
    return a.items.every((x, i) => javaEquals(x, b.items[i] ?? null));
  }
  if (a instanceof VEntry) return b instanceof VEntry && javaEquals(a.key, b.key) && javaEquals(a.value, b.value);
  return false;
}
