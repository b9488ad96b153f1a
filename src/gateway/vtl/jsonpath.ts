// JSONPath with the semantics of Jayway JsonPath (com.jayway.jsonpath), which API Gateway's $input.path/$input.json
// follow: the documentation points at "JSONPath for Java", and the AWS-recorded printing of results (LinkedHashMap
// objects, JSONArray lists; LocalStack snapshot test_apigateway_common.snapshot.json,
// test_input_path_template_formatting) is what Jayway's json-smart provider returns.
//
// jsonpath-plus was not usable for this: it resolves JS properties (`$.items.length` gives the array length, Jayway
// finds nothing), ignores negative indexes (`$.items[-1]`), and lacks Jayway's `=~`, `in`, `nin`, `size`, `empty`.
//
// Jayway rules kept here: a path not starting with `$` or `@` gets `$.` prepended; a "definite" path (only single
// properties and single indexes) yields one value or nothing, any other path yields a list (possibly empty); deep
// scan walks pre-order.

import { javaRegex } from './java-regex.js';
import { fromPlain, toPlain } from './json.js';
import {
  JDouble,
  VList,
  VMap,
  compareNumbers,
  isNumeric,
  javaEquals,
  javaToString,
  toJsNumber,
  intValue,
  type Value,
} from './values.js';

export class JsonPathSyntaxError extends Error {
  override readonly name = 'JsonPathSyntaxError';
}

type Token =
  | { t: 'prop'; names: string[] }
  | { t: 'wild' }
  | { t: 'index'; idx: number[] }
  | { t: 'slice'; from: number | undefined; to: number | undefined }
  | { t: 'filter'; expr: Filter }
  | { t: 'scan'; next: Token }
  | { t: 'func'; name: string };

type Operand =
  | { o: 'path'; root: '@' | '$'; path: CompiledPath }
  | { o: 'lit'; v: Value }
  | { o: 'regex'; re: RegExp };

type Filter =
  | { f: 'and' | 'or'; l: Filter; r: Filter }
  | { f: 'not'; e: Filter }
  | { f: 'exists'; x: Operand }
  | { f: 'cmp'; op: string; l: Operand; r: Operand };

export interface CompiledPath {
  readonly tokens: readonly Token[];
  readonly definite: boolean;
}

const FUNCTIONS = new Set(['length', 'size', 'min', 'max', 'avg', 'sum', 'stddev', 'keys']);

const compiledCache = new Map<string, CompiledPath>();

export function compileJsonPath(path: string): CompiledPath {
  const hit = compiledCache.get(path);
  if (hit) return hit;
  let s = path.trim();
  if (s === '') throw new JsonPathSyntaxError('Path must not be null or empty');
  if (!s.startsWith('$') && !s.startsWith('@')) s = '$.' + s;
  const compiled = new PathParser(s, path).parse();
  if (compiledCache.size > 1000) compiledCache.clear();
  compiledCache.set(path, compiled);
  return compiled;
}

class PathParser {
  i = 1;
  constructor(
    readonly s: string,
    readonly original: string,
  ) {}

  fail(what: string): never {
    throw new JsonPathSyntaxError(`Invalid JSONPath '${this.original}': ${what} at position ${this.i}`);
  }

  parse(): CompiledPath {
    const tokens: Token[] = [];
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '.') {
        if (s[this.i + 1] === '.') {
          this.i += 2;
          tokens.push({ t: 'scan', next: this.afterScan() });
          continue;
        }
        this.i++;
        if (s[this.i] === '*') {
          this.i++;
          tokens.push({ t: 'wild' });
          continue;
        }
        const name = this.name();
        if (s[this.i] === '(') {
          if (s[this.i + 1] !== ')') this.fail('function arguments are not supported');
          if (!FUNCTIONS.has(name)) this.fail(`unknown function ${name}()`);
          this.i += 2;
          if (this.i < s.length) this.fail('a function must end the path');
          tokens.push({ t: 'func', name });
          continue;
        }
        tokens.push({ t: 'prop', names: [name] });
        continue;
      }
      if (c === '[') {
        tokens.push(this.bracket());
        continue;
      }
      this.fail(`unexpected '${c}'`);
    }
    // Jayway: several quoted properties in the last position merge into one map, which is still definite.
    const definite = tokens.every(
      (t, i) =>
        (t.t === 'prop' && (t.names.length === 1 || i === tokens.length - 1)) || (t.t === 'index' && t.idx.length === 1) || t.t === 'func',
    );
    return { tokens, definite };
  }

  afterScan(): Token {
    const c = this.s[this.i];
    if (c === '*') {
      this.i++;
      return { t: 'wild' };
    }
    if (c === '[') return this.bracket();
    return { t: 'prop', names: [this.name()] };
  }

  name(): string {
    const start = this.i;
    while (this.i < this.s.length && !'.[('.includes(this.s[this.i]!)) this.i++;
    const name = this.s.slice(start, this.i);
    if (name === '' || /\s/.test(name.trim()) || name.trim() !== name) this.fail('property name expected');
    return name;
  }

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  quoted(): string {
    const q = this.s[this.i]!;
    let out = '';
    this.i++;
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === '\\' && this.i + 1 < this.s.length) {
        out += this.s[this.i + 1];
        this.i += 2;
        continue;
      }
      if (c === q) {
        this.i++;
        return out;
      }
      out += c;
      this.i++;
    }
    return this.fail('unterminated quoted property');
  }

  bracket(): Token {
    this.i++; // [
    this.ws();
    const c = this.s[this.i];
    let tok: Token;
    if (c === '?') {
      this.i++;
      this.ws();
      if (this.s[this.i] !== '(') this.fail("expected '(' after '?'");
      const end = this.matchParen(this.i);
      const fp = new FilterParser(this.s.slice(this.i + 1, end), this.original);
      tok = { t: 'filter', expr: fp.parse() };
      this.i = end + 1;
    } else if (c === '*') {
      this.i++;
      tok = { t: 'wild' };
    } else if (c === "'" || c === '"') {
      const names = [this.quoted()];
      this.ws();
      while (this.s[this.i] === ',') {
        this.i++;
        this.ws();
        if (this.s[this.i] !== "'" && this.s[this.i] !== '"') this.fail('quoted property expected');
        names.push(this.quoted());
        this.ws();
      }
      tok = { t: 'prop', names };
    } else if (c === '(') {
      return this.fail('script expressions are not supported');
    } else {
      const start = this.i;
      while (this.i < this.s.length && this.s[this.i] !== ']') this.i++;
      const body = this.s.slice(start, this.i).replace(/\s+/g, '');
      if (body.includes(':')) {
        const m = /^(-?\d+)?:(-?\d+)?$/.exec(body);
        if (!m) this.fail('bad array slice');
        tok = { t: 'slice', from: m[1] === undefined ? undefined : Number(m[1]), to: m[2] === undefined ? undefined : Number(m[2]) };
      } else {
        if (!/^-?\d+(,-?\d+)*$/.test(body)) this.fail('bad array index');
        tok = { t: 'index', idx: body.split(',').map(Number) };
      }
    }
    this.ws();
    if (this.s[this.i] !== ']') this.fail("expected ']'");
    this.i++;
    return tok;
  }

  matchParen(open: number): number {
    let depth = 0;
    for (let i = open; i < this.s.length; i++) {
      const c = this.s[i];
      if (c === "'" || c === '"') {
        i++;
        while (i < this.s.length && this.s[i] !== c) i += this.s[i] === '\\' ? 2 : 1;
      } else if (c === '/' && this.s[i - 1] !== '\\' && /=~\s*$/.test(this.s.slice(open, i))) {
        i++;
        while (i < this.s.length && this.s[i] !== '/') i += this.s[i] === '\\' ? 2 : 1;
      } else if (c === '(') depth++;
      else if (c === ')') {
        depth--;
        if (depth === 0) return i;
      }
    }
    return this.fail('unclosed filter expression');
  }
}

const WORD_OPS = ['nin', 'in', 'subsetof', 'anyof', 'noneof', 'size', 'empty', 'contains', 'exists'];

class FilterParser {
  i = 0;
  constructor(
    readonly s: string,
    readonly original: string,
  ) {}

  fail(what: string): never {
    throw new JsonPathSyntaxError(`Invalid JSONPath '${this.original}': ${what} in filter`);
  }

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  parse(): Filter {
    const f = this.or();
    this.ws();
    if (this.i < this.s.length) this.fail(`unexpected '${this.s.slice(this.i)}'`);
    return f;
  }

  or(): Filter {
    let l = this.and();
    for (;;) {
      this.ws();
      if (this.s.startsWith('||', this.i)) {
        this.i += 2;
        l = { f: 'or', l, r: this.and() };
      } else return l;
    }
  }

  and(): Filter {
    let l = this.unary();
    for (;;) {
      this.ws();
      if (this.s.startsWith('&&', this.i)) {
        this.i += 2;
        l = { f: 'and', l, r: this.unary() };
      } else return l;
    }
  }

  unary(): Filter {
    this.ws();
    if (this.s[this.i] === '!' && this.s[this.i + 1] !== '=') {
      this.i++;
      return { f: 'not', e: this.unary() };
    }
    if (this.s[this.i] === '(') {
      this.i++;
      const e = this.or();
      this.ws();
      if (this.s[this.i] !== ')') this.fail("expected ')'");
      this.i++;
      return e;
    }
    const l = this.operand();
    this.ws();
    const op = this.operator();
    if (!op) {
      if (l.o !== 'path') this.fail('a comparison or a path is required');
      return { f: 'exists', x: l };
    }
    this.ws();
    const r = op === '=~' ? this.regex() : this.operand();
    return { f: 'cmp', op, l, r };
  }

  operator(): string | undefined {
    for (const op of ['===', '!==', '==', '!=', '<=', '>=', '=~', '<', '>']) {
      if (this.s.startsWith(op, this.i)) {
        this.i += op.length;
        return op;
      }
    }
    for (const w of WORD_OPS) {
      if (this.s.startsWith(w, this.i) && !/[A-Za-z0-9_]/.test(this.s[this.i + w.length] ?? '')) {
        this.i += w.length;
        return w;
      }
    }
    return undefined;
  }

  regex(): Operand {
    if (this.s[this.i] !== '/') this.fail('regular expression expected after =~');
    let j = this.i + 1;
    let src = '';
    while (j < this.s.length && this.s[j] !== '/') {
      if (this.s[j] === '\\' && this.s[j + 1] === '/') {
        src += '/';
        j += 2;
        continue;
      }
      src += this.s[j];
      j++;
    }
    if (j >= this.s.length) this.fail('unterminated regular expression');
    j++;
    const flagStart = j;
    while (j < this.s.length && /[a-z]/.test(this.s[j]!)) j++;
    const flags = this.s.slice(flagStart, j);
    this.i = j;
    return { o: 'regex', re: javaRegex((flags.includes('i') ? '(?i)' : '') + src) };
  }

  operand(): Operand {
    this.ws();
    const c = this.s[this.i];
    if (c === '@' || c === '$') {
      const start = this.i;
      this.i++;
      const s = this.s;
      while (this.i < s.length) {
        const d = s[this.i]!;
        if (d === '[') {
          let depth = 0;
          for (; this.i < s.length; this.i++) {
            const e = s[this.i];
            if (e === "'" || e === '"') {
              this.i++;
              while (this.i < s.length && s[this.i] !== e) this.i += s[this.i] === '\\' ? 2 : 1;
            } else if (e === '[') depth++;
            else if (e === ']' && --depth === 0) {
              this.i++;
              break;
            }
          }
          continue;
        }
        if (d === '(' && s[this.i + 1] === ')') {
          this.i += 2;
          continue;
        }
        if (/[A-Za-z0-9_.*$-]/.test(d)) {
          this.i++;
          continue;
        }
        break;
      }
      const text = this.s.slice(start, this.i);
      const rel = '$' + text.slice(1);
      return { o: 'path', root: c, path: compileJsonPath(rel) };
    }
    if (c === "'" || c === '"') {
      let out = '';
      this.i++;
      while (this.i < this.s.length && this.s[this.i] !== c) {
        if (this.s[this.i] === '\\') this.i++;
        out += this.s[this.i] ?? '';
        this.i++;
      }
      if (this.i >= this.s.length) this.fail('unterminated string');
      this.i++;
      return { o: 'lit', v: out };
    }
    if (c === '[' || c === '{') {
      // JSON literal (list for in/nin/subsetof...); find its end by bracket depth.
      let depth = 0;
      const start = this.i;
      for (; this.i < this.s.length; this.i++) {
        const d = this.s[this.i];
        if (d === "'" || d === '"') {
          this.i++;
          while (this.i < this.s.length && this.s[this.i] !== d) this.i++;
        } else if (d === '[' || d === '{') depth++;
        else if (d === ']' || d === '}') {
          depth--;
          if (depth === 0) {
            this.i++;
            break;
          }
        }
      }
      const text = this.s.slice(start, this.i).replace(/'([^']*)'/g, (_m, g: string) => JSON.stringify(g));
      try {
        return { o: 'lit', v: fromPlain(JSON.parse(text)) };
      } catch {
        return this.fail('bad JSON literal');
      }
    }
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.s.slice(this.i));
    if (!m) this.fail('operand expected');
    this.i += m[0].length;
    const t = m[0];
    if (t === 'true') return { o: 'lit', v: true };
    if (t === 'false') return { o: 'lit', v: false };
    if (t === 'null') return { o: 'lit', v: null };
    return { o: 'lit', v: /[.eE]/.test(t) ? new JDouble(Number(t)) : intValue(Number(t)) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

/** Result of a path: for definite paths `found` tells whether the single value exists. */
export type PathResult = { definite: true; found: boolean; value: Value } | { definite: false; values: Value[] };

export function evaluateCompiled(path: CompiledPath, root: Value, current: Value = root): PathResult {
  let nodes: Value[] = [current];
  const tokens = path.tokens;
  for (let ti = 0; ti < tokens.length; ti++) {
    const tok = tokens[ti]!;
    if (tok.t === 'func') {
      // Jayway applies the function to each node reaching it (`$..book.length()` is the book array's length)
      // and a function path yields a single value.
      for (const n of nodes) {
        const r = applyFunction(tok.name, n);
        if (r !== undefined) return { definite: true, found: true, value: r };
      }
      return { definite: true, found: false, value: null };
    }
    const leaf = ti === tokens.length - 1;
    const next: Value[] = [];
    for (const n of nodes) applyToken(tok, n, root, leaf, next);
    nodes = next;
  }
  if (path.definite) return nodes.length ? { definite: true, found: true, value: nodes[0]! } : { definite: true, found: false, value: null };
  return { definite: false, values: nodes };
}

function applyToken(tok: Token, n: Value, root: Value, leaf: boolean, out: Value[]): void {
  switch (tok.t) {
    case 'prop':
      if (!(n instanceof VMap)) return;
      if (tok.names.length === 1) {
        const name = tok.names[0]!;
        if (n.has(name)) out.push(n.get(name) ?? null);
        return;
      }
      if (leaf) {
        const m = new VMap('linked');
        for (const name of tok.names) if (n.has(name)) m.put(name, n.get(name) ?? null);
        out.push(m);
      } else for (const name of tok.names) if (n.has(name)) out.push(n.get(name) ?? null);
      return;
    case 'wild':
      if (n instanceof VMap) out.push(...n.values());
      else if (n instanceof VList) out.push(...n.items);
      return;
    case 'index':
      if (!(n instanceof VList)) return;
      for (const raw of tok.idx) {
        const i = raw < 0 ? n.items.length + raw : raw;
        if (i >= 0 && i < n.items.length) out.push(n.items[i]!);
      }
      return;
    case 'slice': {
      if (!(n instanceof VList)) return;
      const len = n.items.length;
      const clamp = (x: number): number => Math.max(0, Math.min(len, x < 0 ? len + x : x));
      const from = tok.from === undefined ? 0 : clamp(tok.from);
      const to = tok.to === undefined ? len : clamp(tok.to);
      for (let i = from; i < to; i++) out.push(n.items[i]!);
      return;
    }
    case 'filter':
      if (n instanceof VList) {
        for (const item of n.items) if (testFilter(tok.expr, item, root)) out.push(item);
      } else if (n instanceof VMap && testFilter(tok.expr, n, root)) out.push(n);
      return;
    case 'scan':
      scan(tok.next, n, root, leaf, out, 0);
      return;
    case 'func':
      return;
  }
}

/** Jayway's ScanPathToken: apply the next token at every node, the node first, then its children in order. */
function scan(next: Token, n: Value, root: Value, leaf: boolean, out: Value[], depth: number): void {
  if (depth > 2000) return;
  if (next.t === 'filter') {
    if (n instanceof VMap && testFilter(next.expr, n, root)) out.push(n);
  } else if (next.t === 'prop') {
    applyToken(next, n, root, leaf, out);
  } else if (next.t === 'wild') {
    applyToken(next, n, root, leaf, out);
  } else if (n instanceof VList) {
    applyToken(next, n, root, leaf, out);
  }
  const children = n instanceof VMap ? n.values() : n instanceof VList ? n.items : [];
  for (const c of children) scan(next, c, root, leaf, out, depth + 1);
}

function applyFunction(name: string, arg: Value): Value | undefined {
  if (name === 'length' || name === 'size') {
    if (arg instanceof VList) return arg.items.length;
    if (arg instanceof VMap) return arg.size;
    return undefined;
  }
  if (name === 'keys') return arg instanceof VMap ? new VList('json', arg.keys()) : undefined;
  if (!(arg instanceof VList)) return undefined;
  const nums = arg.items.filter(isNumeric).map(toJsNumber);
  if (nums.length === 0) return undefined;
  switch (name) {
    case 'min':
      return new JDouble(Math.min(...nums));
    case 'max':
      return new JDouble(Math.max(...nums));
    case 'sum':
      return new JDouble(nums.reduce((a, b) => a + b, 0));
    case 'avg':
      return new JDouble(nums.reduce((a, b) => a + b, 0) / nums.length);
    case 'stddev': {
      const avg = nums.reduce((a, b) => a + b, 0) / nums.length;
      return new JDouble(Math.sqrt(nums.reduce((a, b) => a + (b - avg) ** 2, 0) / nums.length));
    }
  }
  return undefined;
}

const MISSING = Symbol('missing');

function operandValue(o: Operand, current: Value, root: Value): Value | typeof MISSING {
  if (o.o === 'lit') return o.v;
  if (o.o === 'regex') return MISSING;
  const r = evaluateCompiled(o.path, root, o.root === '@' ? current : root);
  if (r.definite) return r.found ? r.value : MISSING;
  return new VList('json', r.values);
}

function testFilter(f: Filter, current: Value, root: Value): boolean {
  switch (f.f) {
    case 'and':
      return testFilter(f.l, current, root) && testFilter(f.r, current, root);
    case 'or':
      return testFilter(f.l, current, root) || testFilter(f.r, current, root);
    case 'not':
      return !testFilter(f.e, current, root);
    case 'exists': {
      const v = operandValue(f.x, current, root);
      if (v === MISSING) return false;
      // An indefinite path "exists" when it matched something.
      return !(f.x.o === 'path' && !f.x.path.definite && v instanceof VList && v.items.length === 0);
    }
    case 'cmp': {
      const l = operandValue(f.l, current, root);
      if (l === MISSING) return false;
      if (f.op === '=~') {
        if (f.r.o !== 'regex' || typeof l !== 'string') return false;
        const re = f.r.re;
        return new RegExp(`(?<![\\s\\S])(?:${re.source})(?![\\s\\S])`, re.flags).test(l);
      }
      const r = operandValue(f.r, current, root);
      if (r === MISSING) return f.op === '!=' || f.op === '!==';
      return compare(f.op, l, r);
    }
  }
}

function asList(v: Value): Value[] | undefined {
  return v instanceof VList ? v.items : undefined;
}

function looseEquals(l: Value, r: Value): boolean {
  if (isNumeric(l) && typeof r === 'string') return r.trim() !== '' && !Number.isNaN(Number(r)) && compareNumbers(l, new JDouble(Number(r))) === 0;
  if (typeof l === 'string' && isNumeric(r)) return l === javaToString(r);
  if (isNumeric(l) && isNumeric(r)) return compareNumbers(l, r) === 0;
  return javaEquals(l, r);
}

function compare(op: string, l: Value, r: Value): boolean {
  switch (op) {
    case '==':
      return looseEquals(l, r);
    case '!=':
      return !looseEquals(l, r);
    case '===':
      return isNumeric(l) && isNumeric(r) ? compareNumbers(l, r) === 0 : javaEquals(l, r);
    case '!==':
      return !(isNumeric(l) && isNumeric(r) ? compareNumbers(l, r) === 0 : javaEquals(l, r));
    case '<':
    case '<=':
    case '>':
    case '>=': {
      let c: number;
      if (isNumeric(l) && isNumeric(r)) c = compareNumbers(l, r);
      else if (typeof l === 'string' && typeof r === 'string') c = l < r ? -1 : l > r ? 1 : 0;
      else return false;
      if (Number.isNaN(c)) return false;
      return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    }
    case 'in':
      return asList(r)?.some((x) => looseEquals(l, x)) ?? false;
    case 'nin':
      return !(asList(r)?.some((x) => looseEquals(l, x)) ?? false);
    case 'contains':
      if (typeof l === 'string') return typeof r === 'string' && l.includes(r);
      return asList(l)?.some((x) => looseEquals(x, r)) ?? false;
    case 'subsetof': {
      const a = asList(l);
      const b = asList(r);
      return !!a && !!b && a.every((x) => b.some((y) => looseEquals(x, y)));
    }
    case 'anyof': {
      const a = asList(l);
      const b = asList(r);
      return !!a && !!b && a.some((x) => b.some((y) => looseEquals(x, y)));
    }
    case 'noneof': {
      const a = asList(l);
      const b = asList(r);
      return !!a && !!b && !a.some((x) => b.some((y) => looseEquals(x, y)));
    }
    case 'size': {
      if (!isNumeric(r)) return false;
      const size = typeof l === 'string' ? l.length : l instanceof VList ? l.items.length : l instanceof VMap ? l.size : undefined;
      return size !== undefined && size === toJsNumber(r);
    }
    case 'empty': {
      const empty = typeof l === 'string' ? l.length === 0 : l instanceof VList ? l.items.length === 0 : l instanceof VMap ? l.size === 0 : undefined;
      return empty !== undefined && r === empty;
    }
    case 'exists':
      return r === true;
  }
  return false;
}

/**
 * Evaluates a JSONPath against a plain JS document (JSON.parse output) the way API Gateway does: a definite path
 * gives the value or undefined when nothing is there; any other path gives an array of matches.
 * Throws JsonPathSyntaxError for a malformed path.
 */
export function evaluateJsonPath(document: unknown, path: string): unknown {
  const compiled = compileJsonPath(path);
  const r = evaluateCompiled(compiled, fromPlain(document));
  if (r.definite) return r.found ? toPlain(r.value) : undefined;
  return r.values.map((v) => toPlain(v));
}
