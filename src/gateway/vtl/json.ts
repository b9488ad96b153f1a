// JSON text ⇄ the engine's Java-like values. A hand-written parser rather than JSON.parse because the JVM side keeps
// what JSON.parse loses: object key order as written (JS objects hoist integer-like keys), and whether a number was
// written as a decimal (`2.0` is a Double and prints `2.0`; `2` is an Integer), as json-smart's parser does.

import { JDouble, VList, VMap, VEntry, HostObject, intValue, type Value } from './values.js';

const MAX_DEPTH = 2000;

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
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const c = this.s.charCodeAt(this.i);
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
    if (r[1] !== undefined || r[2] !== undefined) return new JDouble(Number(r[0]));
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
