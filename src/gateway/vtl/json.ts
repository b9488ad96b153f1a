// JSON text ⇄ the engine's Java-like values. API Gateway reads payloads with Jayway JsonPath's default provider,
// json-smart, so this follows json-smart: object key order as written (JS objects would hoist integer-like keys),
// `2.0` a Double that prints `2.0` while `2` is an Integer, decimals longer than 18 characters kept exactly
// (BigDecimal), nesting limited to 400 levels, and — in json-smart's permissive mode, which Jayway uses — text that
// is not JSON still read as something: `not json` is the string "not json", `{'a': 1,}` a map (checked against
// json-smart 2.6 through Jayway 2.10). UNCERTAIN: the json-smart version AWS runs (the depth limit came in 2.5).

import { JDouble, VList, VMap, VEntry, HostObject, intValue, type Value } from './values.js';

/** json-smart's JSONParserBase.MAX_DEPTH. */
const MAX_DEPTH = 400;

export class JsonSyntaxError extends Error {}

/** Strict RFC 8259 parse into LinkedHashMap / JSONArray / Integer / Double values. */
export function parseJsonText(text: string): Value {
  const p = new Parser(text);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.i < text.length) p.fail('unexpected trailing characters');
  return v;
}

/** How json-smart reads a payload in permissive mode: strict JSON takes the fast path, anything else the lenient one. */
export function parseJsonPermissive(text: string): Value {
  try {
    return parseJsonText(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    return new PermissiveParser(text).parse();
  }
}

/** A decimal as json-smart stores it: Double, or BigDecimal (printed as written) past 18 characters. */
function decimal(text: string): JDouble {
  const n = Number(text);
  return text.length > 18 && !/[eE]/.test(text) ? new JDouble(n, text) : new JDouble(n);
}

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  fail(what: string): never {
    throw new JsonSyntaxError(`${what} at offset ${this.i}`);
  }

  ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  value(depth: number): Value {
    const c = this.s.charCodeAt(this.i);
    // `depth` containers enclose this value; json-smart refuses the 401st.
    if ((c === 0x7b || c === 0x5b) && depth >= MAX_DEPTH) this.fail('nesting too deep');
    switch (c) {
      case 0x7b /* { */: {
        this.i++;
        const map = new VMap('linked');
        this.ws();
        if (this.s.charCodeAt(this.i) === 0x7d) {
          this.i++;
          return map;
        }
        for (;;) {
          this.ws();
          if (this.s.charCodeAt(this.i) !== 0x22) this.fail('expected a property name');
          const key = this.string();
          this.ws();
          if (this.s.charCodeAt(this.i) !== 0x3a) this.fail("expected ':'");
          this.i++;
          this.ws();
          map.put(key, this.value(depth + 1));
          this.ws();
          const d = this.s.charCodeAt(this.i++);
          if (d === 0x7d) return map;
          if (d !== 0x2c) {
            this.i--;
            this.fail("expected ',' or '}'");
          }
        }
      }
      case 0x5b /* [ */: {
        this.i++;
        const items: Value[] = [];
        this.ws();
        if (this.s.charCodeAt(this.i) === 0x5d) {
          this.i++;
          return new VList('json', items);
        }
        for (;;) {
          this.ws();
          items.push(this.value(depth + 1));
          this.ws();
          const d = this.s.charCodeAt(this.i++);
          if (d === 0x5d) return new VList('json', items);
          if (d !== 0x2c) {
            this.i--;
            this.fail("expected ',' or ']'");
          }
        }
      }
      case 0x22:
        return this.string();
      case 0x74:
        return this.word('true', true);
      case 0x66:
        return this.word('false', false);
      case 0x6e:
        return this.word('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail(Number.isNaN(c) ? 'unexpected end of input' : 'unexpected character');
    }
  }

  word<T extends Value>(w: string, v: T): T {
    if (!this.s.startsWith(w, this.i)) this.fail('unexpected token');
    this.i += w.length;
    return v;
  }

  number(): Value {
    const m = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = this.i;
    const r = m.exec(this.s);
    if (!r) return this.fail('malformed number');
    this.i += r[0].length;
    if (r[1] !== undefined || r[2] !== undefined) return decimal(r[0]);
    const n = Number(r[0]);
    return Number.isSafeInteger(n) ? intValue(n) : intValue(BigInt(r[0]));
  }

  string(): string {
    const s = this.s;
    let i = this.i + 1;
    let out = '';
    let start = i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        out += s.slice(start, i);
        this.i = i + 1;
        return out;
      }
      if (Number.isNaN(c)) {
        this.i = i;
        this.fail('unterminated string');
      }
      if (c < 0x20) {
        this.i = i;
        this.fail('control character in string');
      }
      if (c === 0x5c) {
        out += s.slice(start, i);
        const e = s.charAt(i + 1);
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const h = s.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(h)) {
              this.i = i;
              this.fail('bad unicode escape');
            }
            out += String.fromCharCode(parseInt(h, 16));
            i += 4;
            break;
          }
          default:
            this.i = i;
            this.fail('bad escape');
        }
        i += 2;
        start = i;
        continue;
      }
      i++;
    }
  }
}

const EOI = -1;
const isJavaWhitespace = (c: number): boolean => (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c === 0x1680 || (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x205f || c === 0x3000;

/** Characters that end an unquoted token, by context (json-smart's stopKey/stopValue/stopArray/stopX). */
const STOP_TOP = '';
const STOP_KEY = ':';
const STOP_VALUE = ',}';
const STOP_ARRAY = ',]';

/**
 * json-smart's permissive reading of text that is not strict JSON: single-quoted and unquoted strings, unquoted
 * keys, NaN, leading zeros, extra commas, data after the first value, and \x escapes.
 */
class PermissiveParser {
  private i = -1;
  private cur = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  /** The current character; a method so TypeScript does not narrow it across read(). */
  private ch(): number {
    return this.cur;
  }

  private read(): void {
    this.i++;
    this.cur = this.i < this.s.length ? this.s.charCodeAt(this.i) : EOI;
  }

  private fail(what: string): never {
    throw new JsonSyntaxError(`${what} at offset ${this.i}`);
  }

  private isStop(stop: string): boolean {
    // Only ASCII below 126 can stop a token; EOI always does.
    return this.ch() === EOI || (this.ch() < 126 && stop.includes(String.fromCharCode(this.ch())));
  }

  private skipSpace(): void {
    while (this.ch() !== EOI && this.ch() <= 0x20) this.read();
  }

  private skipDigits(): void {
    while (this.ch() >= 0x30 && this.ch() <= 0x39) this.read();
  }

  /** substring(start, stop) trimmed of Java whitespace, keeping at least one character. */
  private trimmed(start: number, stop: number): string {
    while (start < stop - 1 && isJavaWhitespace(this.s.charCodeAt(start))) start++;
    while (stop - 1 > start && isJavaWhitespace(this.s.charCodeAt(stop - 1))) stop--;
    return this.s.slice(start, stop);
  }

  private unquoted(stop: string): string {
    const start = this.i;
    while (!this.isStop(stop)) this.read();
    return this.trimmed(start, this.i);
  }

  parse(): Value {
    this.read();
    return this.value(STOP_TOP, true);
  }

  private value(stop: string, top = false): Value {
    for (;;) {
      const c = this.ch();
      if (c === 0x20 || c === 0x0d || c === 0x0a || c === 0x09) {
        this.read();
        continue;
      }
      switch (c) {
        case 0x3a: // :
        case 0x7d: // }
        case 0x5d: // ]
          return this.fail('unexpected character');
        case 0x7b:
          return this.object();
        case 0x5b:
          return this.array();
        case 0x22:
        case 0x27:
          return this.string();
        case EOI:
          if (top) return '';
          return this.fail('unexpected end of input');
      }
      if (c === 0x6e || c === 0x66 || c === 0x74 || c === 0x4e) {
        const word = this.unquoted(stop);
        if (word === 'null') return null;
        if (word === 'false') return false;
        if (word === 'true') return true;
        if (word === 'NaN') return new JDouble(NaN);
        return word;
      }
      if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number(stop);
      return this.unquoted(stop);
    }
  }

  /** An unquoted token that starts like a number is a number only if nothing but a stop follows it. */
  private number(stop: string): Value {
    const start = this.i;
    const asText = (): string => {
      while (!this.isStop(stop)) this.read();
      return this.trimmed(start, this.i);
    };
    const endsHere = (): boolean => {
      this.skipSpace();
      return this.isStop(stop) || this.ch() >= 126;
    };
    this.read();
    this.skipDigits();
    if (this.ch() !== 0x2e && this.ch() !== 0x45 && this.ch() !== 0x65) {
      if (!endsHere()) return asText();
      const t = this.trimmed(start, this.i);
      return /^-?\d+$/.test(t) ? intValue(BigInt(t)) : intValue(0);
    }
    if (this.ch() === 0x2e) {
      this.read();
      this.skipDigits();
    }
    if (this.ch() !== 0x45 && this.ch() !== 0x65) {
      if (!endsHere()) return asText();
      return this.float(this.trimmed(start, this.i));
    }
    this.read();
    if (this.ch() === 0x2b || this.ch() === 0x2d || (this.ch() >= 0x30 && this.ch() <= 0x39)) {
      this.read();
      this.skipDigits();
      if (!endsHere()) return asText();
      return this.float(this.trimmed(start, this.i));
    }
    return asText();
  }

  private float(text: string): Value {
    const n = Number(text);
    if (Number.isNaN(n)) this.fail('malformed number');
    return decimal(text);
  }

  private string(): string {
    const q = this.ch();
    const end = this.s.indexOf(String.fromCharCode(q), this.i + 1);
    if (end === -1) this.fail('unterminated string');
    const raw = this.s.slice(this.i + 1, end);
    if (!raw.includes('\\')) {
      this.i = end;
      this.read();
      return raw;
    }
    // With escapes, json-smart re-reads character by character and drops control characters.
    let out = '';
    for (;;) {
      this.read();
      const c = this.ch();
      if (c === EOI) this.fail('unterminated string');
      if (c === q) {
        this.read();
        return out;
      }
      if (c === 0x5c) {
        this.read();
        switch (this.ch()) {
          case 0x74: out += '\t'; break;
          case 0x6e: out += '\n'; break;
          case 0x72: out += '\r'; break;
          case 0x66: out += '\f'; break;
          case 0x62: out += '\b'; break;
          case 0x5c: out += '\\'; break;
          case 0x2f: out += '/'; break;
          case 0x27: out += "'"; break;
          case 0x22: out += '"'; break;
          case 0x75: out += this.hexChar(4); break;
          case 0x78: out += this.hexChar(2); break;
          default: break;
        }
        continue;
      }
      if (c < 0x20 || c === 0x7f) continue;
      out += String.fromCharCode(c);
    }
  }

  private hexChar(n: number): string {
    let v = 0;
    for (let k = 0; k < n; k++) {
      this.read();
      const h = this.ch();
      if (h >= 0x30 && h <= 0x39) v = v * 16 + h - 0x30;
      else if (h >= 0x41 && h <= 0x46) v = v * 16 + h - 0x37;
      else if (h >= 0x61 && h <= 0x66) v = v * 16 + h - 0x57;
      else this.fail('bad escape');
    }
    return String.fromCharCode(v);
  }

  private object(): VMap {
    if (++this.depth > MAX_DEPTH) this.fail('nesting too deep');
    const map = new VMap('linked');
    let needData = false;
    let acceptData = true;
    for (;;) {
      this.read();
      const c = this.ch();
      if (c === 0x20 || c === 0x0d || c === 0x09 || c === 0x0a) continue;
      if (c === 0x3a || c === 0x5d || c === 0x5b || c === 0x7b || c === EOI) this.fail('unexpected character');
      if (c === 0x7d) {
        this.depth--;
        this.read();
        return map;
      }
      if (c === 0x2c) {
        acceptData = needData = true;
        continue;
      }
      const key = c === 0x22 || c === 0x27 ? this.string() : this.unquoted(STOP_KEY);
      if (!acceptData) this.fail('unexpected key');
      this.skipSpace();
      if (this.ch() !== 0x3a) this.fail("expected ':'");
      this.read();
      if (this.ch() === EOI) this.fail('unexpected end of input');
      map.put(key, this.value(STOP_VALUE));
      this.skipSpace();
      if (this.ch() === 0x7d) {
        this.depth--;
        this.read();
        return map;
      }
      if (this.ch() !== 0x2c) this.fail("expected ',' or '}'");
      acceptData = needData = true;
      void needData;
    }
  }

  private array(): VList {
    if (++this.depth > MAX_DEPTH) this.fail('nesting too deep');
    const items: Value[] = [];
    this.read();
    for (;;) {
      const c = this.ch();
      if (c === 0x20 || c === 0x0d || c === 0x0a || c === 0x09 || c === 0x2c) {
        this.read();
        continue;
      }
      if (c === 0x5d) {
        this.depth--;
        this.read();
        return new VList('json', items);
      }
      if (c === 0x3a || c === 0x7d || c === EOI) this.fail('unexpected character');
      items.push(this.value(STOP_ARRAY));
    }
  }
}

/** A deep copy of parsed JSON: each $input.path call hands out its own objects, as Jayway re-reads the payload. */
export function cloneJson(v: Value): Value {
  if (v instanceof VMap) {
    const m = new VMap(v.order);
    for (const e of v.entries()) m.put(e.key, cloneJson(e.value));
    return m;
  }
  if (v instanceof VList) return new VList(v.kind, v.items.map(cloneJson));
  return v;
}

/** A plain JS value (JSON.parse output, caller-supplied context) as engine values; objects keep their key order. */
export function fromPlain(v: unknown, order: 'hash' | 'linked' = 'linked', depth = 0): Value {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isInteger(v) ? intValue(v) : new JDouble(v);
    case 'bigint':
      return intValue(v);
    case 'object': {
      if (depth > MAX_DEPTH) return null;
      if (Array.isArray(v)) return new VList('json', v.map((x) => fromPlain(x, order, depth + 1)));
      if (v instanceof JDouble || v instanceof VMap || v instanceof VList) return v;
      const m = new VMap(order);
      for (const k of Object.keys(v)) m.put(k, fromPlain((v as Record<string, unknown>)[k], order, depth + 1));
      return m;
    }
    default:
      return null;
  }
}

/** Engine values back to plain JS (for callers outside the engine). */
export function toPlain(v: Value, depth = 0): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof JDouble) return v.v;
  if (depth > MAX_DEPTH) return null;
  if (v instanceof VList) return v.items.map((x) => toPlain(x, depth + 1));
  if (v instanceof VMap) {
    const o: Record<string, unknown> = {};
    for (const e of v.entries()) {
      const k = typeof e.key === 'string' ? e.key : String(toPlain(e.key, depth + 1));
      Object.defineProperty(o, k, { value: toPlain(e.value, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return o;
  }
  if (v instanceof VEntry) return { key: toPlain(v.key, depth + 1), value: toPlain(v.value, depth + 1) };
  if (v instanceof HostObject) return v.toJavaString();
  return null;
}
