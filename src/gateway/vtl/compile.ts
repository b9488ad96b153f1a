// Template text → Program. Parsing is velocityjs's (a port of Velocity's grammar); on top of it this module does
// what velocityjs does differently from Java Velocity 1.7 (checked against velocity-1.7.jar):
//  - whitespace: Velocity 1.7 swallows the rest of the line (spaces/tabs plus the newline) after a directive's
//    closing `)`, after #else and after #end, the newline ending a `##` comment, and the spaces/tabs that directly
//    precede a #set when nothing but them stands between it and the previous directive or the line's start
//    (Velocity 1.7 Parser.jjt: tokens RPAREN, ELSE_DIRECTIVE, END, SET_DIRECTIVE, SINGLE_LINE_COMMENT).
//  - structure errors velocityjs lets pass: an #end with no block silently drops the rest of the template, and an
//    unclosed #if/#foreach is accepted; Velocity rejects both, so do we. Likewise `\'` inside '...'.
//  - string literals: Velocity 1.7 only unescapes \uXXXX, and interpolates "..." containing $ or #.
// Still velocityjs's: `''`/`""` doubled quotes inside strings, #stop, #break($scope), exponent literals (1e3) and
// #foreach over a literal string are not accepted; `\$ref` escapes print without the backslash whether or not $ref
// is defined.
// Velocity 1.7 rather than 2.x: the AWS docs' kinesis example reads `$elem.partition-key`, and only 1.x accepts
// hyphens in identifiers by default; the service also predates 2.0. UNCERTAIN: the exact version.

import { parse } from 'velocityjs';
import { VtlSyntaxError, excerpt } from './errors.js';
import type { Expr, Macro, Node, Pos, Program, Ref, Segment } from './ir.js';
import { JDouble, intValue, type Value } from './values.js';

// Appended to the text before parsing: where it lands tells whether every block was closed (velocityjs neither
// reports an unclosed block nor a stray #end; it duplicates or drops content instead). \u0000 would upset its lexer.
const SENTINEL = '\u0001\u0002\u0003';

interface RawPos {
  first_line: number;
  first_column: number;
  last_line: number;
  last_column: number;
}

interface RawObj {
  type: string;
  pos?: RawPos;
  [key: string]: unknown;
}

type RawNode = string | RawObj | RawNode[];

interface JisonHash {
  text?: string;
  token?: string | null;
  line?: number;
  loc?: RawPos;
  expected?: string[];
}

function isObj(v: unknown): v is RawObj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { type?: unknown }).type === 'string';
}

function rawParse(src: string): RawNode[] {
  return parse(src, {}, false) as unknown as RawNode[];
}

/** Line starts of a text, for turning velocityjs positions into offsets. */
class Source {
  readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) this.starts.push(i + 1);
    }
  }
  offset(line: number, column: number): number {
    return (this.starts[line - 1] ?? this.text.length) + column;
  }
  lineOf(offset: number): number {
    let line = 1;
    while (line < this.starts.length && this.starts[line]! <= offset) line++;
    return line;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Syntax errors

const TOKEN_NAMES: Record<string, string> = {
  CLOSE_PARENTHESIS: "')'",
  PARENTHESIS: "'('",
  DOLLAR: "'$'",
  ID: 'a name',
  STRING: 'a string',
  EVAL_STRING: 'a string',
  INTEGER: 'a number',
  DECIMAL_POINT: 'a number',
  MAP_BEGIN: "'{'",
  MAP_END: "'}'",
  MAP_SPLIT: "':'",
  BRACKET: "'['",
  CLOSE_BRACKET: "']'",
  COMMA: "','",
  SPACE: 'a space',
  CONTENT: 'text',
  EQUAL: "'='",
  VAR_END: "'}'",
  DOT: "'.'",
  BOOL: 'true/false/null',
  RANGE: "'..'",
  EOF: 'the end of the template',
  IN: "'in'",
};

/** A readable name for a jison token; undefined for the grammar's internal ones. */
function tokenName(t: string): string | undefined {
  const bare = t.replace(/^'|'$/g, '');
  if (TOKEN_NAMES[bare]) return TOKEN_NAMES[bare];
  if (/^[A-Z_]+$/.test(bare)) return undefined;
  return `'${bare}'`;
}

function directiveHint(lineText: string, expected: string[]): string {
  if (/#\{?set\b/.test(lineText)) return 'write #set($name = value); the value may be a reference, literal, list, map or arithmetic';
  if (/#\{?foreach\b/.test(lineText)) return 'write #foreach($item in $list) ... #end';
  if (/#\{?(?:else)?if\b/.test(lineText)) return 'write #if(condition) ... #elseif(condition) ... #else ... #end';
  if (expected.some((e) => e.includes('CLOSE_PARENTHESIS'))) return "a directive or method call is missing its closing ')'";
  return 'check the Velocity syntax near this position (references are $name, ${name}, $a.b(...); directives are #set, #if, #foreach)';
}

/** The position of a jison lexical error, recovered from its "pre/post/caret" display. */
function lexicalPosition(message: string, src: Source): { line: number; column: number } {
  const line = Number(/on line (\d+)/.exec(message)?.[1] ?? 1);
  const [, shown = '', caret = ''] = message.split('\n');
  const preLen = caret.indexOf('^');
  let pre = shown.slice(0, Math.max(0, preLen));
  const post = shown.slice(Math.max(0, preLen));
  const truncated = pre.startsWith('...');
  if (truncated) pre = pre.slice(3);
  const flat = (s: string): string => s.replace(/\n/g, '');
  for (let off = 0; off <= src.text.length; off++) {
    if (src.lineOf(off) < line) continue;
    const before = flat(src.text.slice(Math.max(0, off - pre.length - 40), off));
    const after = flat(src.text.slice(off, off + post.length + 40));
    if (before.endsWith(pre) && after.startsWith(post.replace(/\.\.\.$/, ''))) {
      const l = src.lineOf(off);
      return { line: l, column: off - (src.starts[l - 1] ?? 0) + 1 };
    }
  }
  return { line, column: 1 };
}

function syntaxErrorFrom(e: unknown, src: Source, base?: Pos): VtlSyntaxError {
  if (e instanceof VtlSyntaxError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const hash = (typeof e === 'object' && e !== null ? (e as { hash?: JisonHash }).hash : undefined) ?? {};
  let line: number;
  let column: number;
  let what: string;
  const expected = hash.expected ?? [];
  if (hash.loc) {
    // jison reports the last token it accepted; the offending one is the next non-blank character after it.
    let off = src.offset(hash.loc.last_line, hash.loc.last_column);
    while (off < src.text.length && /[ \t\r\n]/.test(src.text[off]!)) off++;
    line = src.lineOf(off);
    column = off - (src.starts[line - 1] ?? 0) + 1;
    const eof = hash.token === 'EOF' || hash.token === '1' || hash.token === null || off >= src.text.length;
    const got = eof ? 'end of the template' : (tokenName(String(hash.token ?? '')) ?? `'${hash.text ?? '?'}'`);
    const wanted = [...new Set(expected.filter((t) => !t.includes('EOF')).map(tokenName).filter((t): t is string => t !== undefined))].slice(0, 6);
    what = `Unexpected ${got}${wanted.length ? ` (expected ${wanted.join(', ')})` : ''}`;
  } else {
    ({ line, column } = lexicalPosition(message, src));
    what = 'Unrecognized text in a directive or reference';
  }
  if (base) {
    return new VtlSyntaxError(`${what} inside a string literal`, base.line, base.column, 'check the references and directives inside the double-quoted string');
  }
  const lineText = src.text.split(/\r\n|\n|\r/)[line - 1] ?? '';
  return new VtlSyntaxError(what, line, column, directiveHint(lineText, expected), excerpt(src.text, line, column));
}

/** Parses, and rejects what Velocity rejects but velocityjs accepts (unbalanced #end). */
function parseChecked(text: string, src: Source, base?: Pos): RawNode[] {
  let raw: RawNode[];
  try {
    raw = mergeText(rawParse(text + SENTINEL));
  } catch (e) {
    let err: unknown = e;
    try {
      rawParse(text);
    } catch (e2) {
      err = e2;
    }
    throw syntaxErrorFrom(err, src, base);
  }
  const open = innermostUnclosed(raw);
  if (open) {
    const header = open[0];
    const type = isObj(header) ? header.type : 'block';
    const pos = isObj(header) ? header.pos : undefined;
    const at = base ?? { line: pos?.first_line ?? 1, column: (pos?.first_column ?? 0) + 1 };
    throw new VtlSyntaxError(
      `#${type} is never closed`,
      at.line,
      at.column,
      'every #if, #foreach, #macro and #define needs a matching #end',
      base ? '' : excerpt(src.text, at.line, at.column),
    );
  }
  const last = raw[raw.length - 1];
  if (typeof last === 'string' && last.endsWith(SENTINEL)) {
    const rest = last.slice(0, -SENTINEL.length);
    if (rest) raw[raw.length - 1] = rest;
    else raw.pop();
    return raw;
  }
  if (isObj(last) && typeof last['value'] === 'string' && last['value'].endsWith(SENTINEL)) {
    last['value'] = last['value'].slice(0, -SENTINEL.length);
    return raw;
  }
  // A top-level #end made velocityjs stop early; find the first one that closes nothing.
  const at = base ?? strayEnd(text, src);
  throw new VtlSyntaxError(
    '#end without a matching #if, #foreach, #macro or #define',
    at.line,
    at.column,
    'remove the extra #end or add the directive it should close',
    base ? '' : excerpt(src.text, at.line, at.column),
  );
}

/** velocityjs splits text at arbitrary points (e.g. right after a reference); join neighbouring strings. */
function mergeText(list: RawNode[]): RawNode[] {
  const out: RawNode[] = [];
  for (const n of list) {
    const prev = out[out.length - 1];
    if (typeof n === 'string' && typeof prev === 'string') out[out.length - 1] = prev + n;
    else out.push(Array.isArray(n) ? mergeText(n) : n);
  }
  return out;
}

function containsSentinel(node: RawNode): boolean {
  if (typeof node === 'string') return node.endsWith(SENTINEL);
  if (Array.isArray(node)) return node.some(containsSentinel);
  return typeof node['value'] === 'string' && node['value'].endsWith(SENTINEL);
}

/** A block still open at the end of the text holds the sentinel; the deepest such block is the one to report. */
function innermostUnclosed(list: readonly RawNode[]): RawNode[] | undefined {
  for (const el of list) {
    if (Array.isArray(el) && containsSentinel(el)) return innermostUnclosed(el.slice(1)) ?? el;
  }
  return undefined;
}

function strayEnd(text: string, src: Source): Pos {
  const re = /#(?:\{end\}|end)/g;
  let tries = 0;
  for (let m = re.exec(text); m && tries < 200; m = re.exec(text), tries++) {
    try {
      const prefix = mergeText(rawParse(text.slice(0, m.index) + SENTINEL));
      const last = prefix[prefix.length - 1];
      if (last !== undefined && containsSentinel(last) && !innermostUnclosed(prefix)) {
        const line = src.lineOf(m.index);
        return { line, column: m.index - (src.starts[line - 1] ?? 0) + 1 };
      }
    } catch {
      // Not a candidate: the prefix is incomplete on its own.
    }
  }
  return { line: 1, column: 1 };
}

// ---------------------------------------------------------------------------------------------------------------
// Whitespace (Velocity 1.7 gobbling)

const BOUNDARY = Symbol('boundary');
/** Stands for a block's opening directive (or #else/#elseif) at the head of its body, so the line end after it is gobbled. */
const MARKER = '#marker';
const marker = (): RawObj => ({ type: MARKER });
type Item = string | RawObj | RawNode[] | typeof BOUNDARY;

/** Directives whose closing `)` (or keyword, for #else) swallows the rest of the line. */
const GOBBLING = new Set(['set', 'if', 'elseif', 'else', 'foreach', 'macro', 'define', 'macro_call', 'noescape', MARKER]);
const LINE_REST = /^[ \t]*(?:\r\n|\n|\r)/;
const NEWLINE = /^(?:\r\n|\n|\r)/;

function prepare(list: readonly RawNode[]): Array<string | RawObj | RawNode[]> {
  const items: Item[] = [];
  const pushText = (s: string): void => {
    const prev = items[items.length - 1];
    if (typeof prev === 'string') items[items.length - 1] = prev + s;
    else items.push(s);
  };
  let gobble: RegExp | null = null;
  for (const node of list) {
    if (typeof node === 'string') {
      let s = node;
      if (gobble) s = s.replace(gobble, '');
      gobble = null;
      if (s) pushText(s);
      continue;
    }
    if (Array.isArray(node)) {
      items.push(node);
      gobble = LINE_REST; // after the block's #end
      continue;
    }
    if (node.type === 'comment') {
      // `##` runs to and includes the newline; `#* *#` keeps what follows. Both separate tokens.
      items.push(BOUNDARY);
      gobble = typeof node['value'] === 'string' && node['value'].startsWith('##') ? NEWLINE : null;
      continue;
    }
    items.push(node);
    gobble = GOBBLING.has(node.type) ? LINE_REST : null;
  }
  // #set eats the spaces/tabs before it when they begin a token (template start, after a directive or comment).
  for (let i = 1; i < items.length; i++) {
    const cur = items[i];
    const prev = items[i - 1];
    if (isObj(cur) && cur.type === 'set' && typeof prev === 'string' && /^[ \t]+$/.test(prev) && (i === 1 || typeof items[i - 2] !== 'string')) {
      items.splice(i - 1, 1);
      i--;
    }
  }
  const out: Array<string | RawObj | RawNode[]> = [];
  for (const it of items) {
    if (it === BOUNDARY) continue;
    const prev = out[out.length - 1];
    if (typeof it === 'string' && typeof prev === 'string') out[out.length - 1] = prev + it;
    else out.push(it);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Conversion

function posOf(o: RawObj, fallback: Pos): Pos {
  return o.pos ? { line: o.pos.first_line, column: o.pos.first_column + 1 } : fallback;
}

/** Velocity 1.7 string literals: only \uXXXX escapes are processed. */
function unescapeUnicode(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

class Compiler {
  readonly macros = new Map<string, Macro>();

  constructor(
    readonly src: Source,
    /** Set when compiling the inside of a string literal: errors point at the literal's directive. */
    readonly base?: Pos,
  ) {}

  fail(what: string, at: Pos, hint: string): never {
    const p = this.base ?? at;
    throw new VtlSyntaxError(what, p.line, p.column, hint, this.base ? '' : excerpt(this.src.text, p.line, p.column));
  }

  nodes(list: readonly RawNode[]): Node[] {
    const out: Node[] = [];
    for (const item of prepare(list)) {
      if (typeof item === 'string') {
        out.push({ k: 'text', s: item });
        continue;
      }
      if (Array.isArray(item)) {
        const n = this.block(item);
        if (n) out.push(n);
        continue;
      }
      if (item.type === MARKER) continue;
      const n = this.node(item);
      if (Array.isArray(n)) out.push(...n);
      else if (n) out.push(n);
    }
    return out;
  }

  /**
   * Velocity 1.7 has no backslash escapes in string literals: `'it\'s'` ends at the second quote and fails to parse
   * (checked against Velocity 1.7). velocityjs accepts it, so look for it in the directive's own text.
   */
  quoteEscapes(o: RawObj): void {
    if (!o.pos || this.base) return;
    const start = this.src.offset(o.pos.first_line, o.pos.first_column);
    const text = this.src.text.slice(start, this.src.offset(o.pos.last_line, o.pos.last_column));
    let q: string | null = null;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (q === null) {
        if (c === '"' || c === "'") q = c;
      } else if (c === '\\' && text[i + 1] === q) {
        const line = this.src.lineOf(start + i);
        const column = start + i - (this.src.starts[line - 1] ?? 0) + 1;
        const other = q === "'" ? '"' : "'";
        throw new VtlSyntaxError(
          `Velocity does not support \\${q} inside a ${q}-quoted string`,
          line,
          column,
          `enclose the string in ${other} quotes instead`,
          excerpt(this.src.text, line, column),
        );
      } else if (c === q) q = null;
    }
  }

  node(o: RawObj): Node | Node[] | undefined {
    const at = posOf(o, this.base ?? { line: 1, column: 1 });
    if (o.type !== 'comment' && o.type !== 'raw') this.quoteEscapes(o);
    switch (o.type) {
      case 'references': {
        const node: Node = { k: 'ref', ref: this.ref(o, at) };
        if (Array.isArray(o['args']) && o.pos) {
          // `$a(x)` is not a call in Velocity: the reference `$a` followed by the text "(x)".
          const a = this.src.offset(o.pos.first_line, o.pos.first_column) + String(o['leader'] ?? '$').length + String(o['id']).length;
          const b = this.src.offset(o.pos.last_line, o.pos.last_column);
          return [node, { k: 'text', s: this.src.text.slice(a, b) }];
        }
        return node;
      }
      case 'set': {
        const eq = o['equal'];
        if (!Array.isArray(eq) || !isObj(eq[0]) || eq[1] === undefined) this.fail('Malformed #set', at, 'write #set($name = value)');
        const target = this.ref(eq[0], at);
        if (target.path.some((s) => s.k === 'call')) this.fail('The left side of #set cannot call a method', at, 'assign to $name, $map.key or $list[index]');
        return { k: 'set', target, value: this.expr(eq[1] as RawNode, at), ...at };
      }
      case 'break':
        return { k: 'break', ...at };
      case 'raw':
        return { k: 'text', s: String(o['value'] ?? '') };
      case 'macro_call': {
        const args = Array.isArray(o['args']) ? (o['args'] as RawNode[]).map((a) => this.expr(a, at)) : [];
        let text = '';
        if (o.pos) {
          const a = this.src.offset(o.pos.first_line, o.pos.first_column);
          const b = this.src.offset(o.pos.last_line, o.pos.last_column);
          text = this.src.text.slice(a, b);
        }
        return { k: 'call', name: String(o['id']), args, text, ...at };
      }
      case 'else':
      case 'elseif':
        return this.fail(`#${o.type} outside of an #if block`, at, `#${o.type} must appear between #if(...) and its #end`);
      case 'comment':
        return undefined;
      default:
        return this.fail(`Unsupported directive #${o.type}`, at, 'API Gateway templates support #set, #if/#elseif/#else, #foreach, #break, #macro and #define');
    }
  }

  block(list: RawNode[]): Node | undefined {
    const header = list[0];
    if (!isObj(header)) return undefined;
    this.quoteEscapes(header);
    const at = posOf(header, this.base ?? { line: 1, column: 1 });
    const children = list.slice(1);
    switch (header.type) {
      case 'if': {
        const branches: Array<{ cond: Expr | null; body: Node[] }> = [];
        let cond: Expr | null = this.expr(header['condition'] as RawNode, at);
        let current: RawNode[] = [];
        let sawElse = false;
        // Branches are split before whitespace handling; each body starts with a marker standing for the
        // #if/#elseif/#else that opened it, whose line end is gobbled.
        const pieces: Array<{ cond: Expr | null; body: RawNode[] }> = [];
        const items = [header as RawNode, ...children];
        for (let i = 1; i < items.length; i++) {
          const c = items[i]!;
          if (isObj(c) && (c.type === 'else' || c.type === 'elseif')) {
            const cAt = posOf(c, at);
            this.quoteEscapes(c);
            if (sawElse) this.fail(`#${c.type} after #else`, cAt, '#else must be the last branch of an #if');
            pieces.push({ cond, body: current });
            current = [];
            if (c.type === 'else') {
              sawElse = true;
              cond = null;
            } else cond = this.expr(c['condition'] as RawNode, cAt);
            continue;
          }
          current.push(c);
        }
        pieces.push({ cond, body: current });
        for (const p of pieces) branches.push({ cond: p.cond, body: this.nodes([marker(), ...p.body]) });
        return { k: 'if', branches, ...at };
      }
      case 'foreach': {
        this.noBranches(children, 'foreach');
        const from = header['from'] as RawNode;
        return { k: 'foreach', name: String(header['to']), iter: this.expr(from, at), body: this.body(children), ...at };
      }
      case 'macro': {
        this.noBranches(children, 'macro');
        const params = Array.isArray(header['args']) ? (header['args'] as RawNode[]).filter(isObj).map((a) => String(a['id'])) : [];
        this.macros.set(String(header['id']), { params, body: this.body(children) });
        return undefined;
      }
      case 'define':
        this.noBranches(children, 'define');
        return { k: 'define', name: String(header['id']), body: this.body(children), ...at };
      case 'noescape':
      case 'macro_body':
        return { k: 'if', branches: [{ cond: null, body: this.body(children) }], ...at };
      default:
        return this.fail(`Unsupported block #${header.type}`, at, 'use #if, #foreach, #macro or #define');
    }
  }

  /** Children of a block, behind a marker standing for the opening directive so the text after it is gobbled. */
  body(children: RawNode[]): Node[] {
    return this.nodes([marker(), ...children]);
  }

  noBranches(children: RawNode[], what: string): void {
    for (const c of children) {
      if (isObj(c) && (c.type === 'else' || c.type === 'elseif')) {
        this.fail(`#${c.type} inside #${what}`, posOf(c, this.base ?? { line: 1, column: 1 }), `#${c.type} belongs to an #if block; close the #${what} with #end first`);
      }
    }
  }

  ref(o: RawObj, at: Pos): Ref {
    const root = String(o['id']);
    const path: Segment[] = [];
    let text = `$${o['isWraped'] ? '{' : ''}${root}`;
    const raw = o['path'];
    if (Array.isArray(raw)) {
      for (const seg of raw) {
        if (!isObj(seg)) continue;
        if (seg.type === 'property') {
          path.push({ k: 'prop', name: String(seg['id']) });
          text += `.${String(seg['id'])}`;
        } else if (seg.type === 'method') {
          const args = Array.isArray(seg['args']) ? (seg['args'] as RawNode[]).map((a) => this.expr(a, at)) : [];
          path.push({ k: 'call', name: String(seg['id']), args });
          text += `.${String(seg['id'])}(${args.length ? '...' : ''})`;
        } else if (seg.type === 'index') {
          path.push({ k: 'index', e: this.expr(seg['id'] as RawNode, at) });
          text += '[...]';
        }
      }
    }
    if (o['isWraped']) text += '}';
    return { root, path, text, line: at.line, column: at.column };
  }

  expr(raw: RawNode, at: Pos): Expr {
    if (typeof raw === 'string' || typeof raw === 'number') {
      // Range bounds arrive as bare numeric strings.
      return { k: 'lit', v: intLiteral(String(raw)) };
    }
    if (!isObj(raw)) return this.fail('Malformed expression', at, 'check the expression syntax');
    switch (raw.type) {
      case 'references':
        return { k: 'ref', ref: this.ref(raw, at) };
      case 'integer':
        return { k: 'lit', v: intLiteral(String(raw['value'])) };
      case 'decimal':
        return { k: 'lit', v: new JDouble(Number(raw['value'])) };
      case 'bool':
        return { k: 'lit', v: raw['value'] === 'true' ? true : raw['value'] === 'false' ? false : null };
      case 'string': {
        const value = String(raw['value'] ?? '');
        if (!raw['isEval']) return { k: 'lit', v: value };
        const text = unescapeUnicode(value);
        if (!text.includes('$') && !text.includes('#')) return { k: 'lit', v: text };
        const inner = new Compiler(new Source(text), this.base ?? at);
        const nodes = inner.nodes(parseChecked(text, inner.src, this.base ?? at));
        for (const [name, m] of inner.macros) this.macros.set(name, m);
        if (nodes.every((n) => n.k === 'text')) return { k: 'lit', v: nodes.map((n) => (n.k === 'text' ? n.s : '')).join('') };
        return { k: 'str', nodes };
      }
      case 'array': {
        const value = Array.isArray(raw['value']) ? (raw['value'] as RawNode[]) : [];
        if (raw['isRange']) return { k: 'range', from: this.expr(value[0]!, at), to: this.expr(value[1]!, at) };
        return { k: 'list', items: value.map((v) => this.expr(v, at)) };
      }
      case 'map': {
        const value = raw['value'];
        const entries: Array<[string, Expr]> = [];
        if (typeof value === 'object' && value !== null) {
          for (const key of Object.keys(value)) entries.push([key, this.expr((value as Record<string, RawNode>)[key]!, at)]);
        }
        return { k: 'map', entries };
      }
      case 'math': {
        const ex = Array.isArray(raw['expression']) ? (raw['expression'] as RawNode[]) : [];
        const op = String(raw['operator']);
        if (op === 'not') return { k: 'not', e: this.expr(ex[0]!, at) };
        if (op === 'parenthesis') return this.expr(ex[0]!, at);
        if (op === 'minus' && ex.length === 1) return { k: 'bin', op: '-', l: { k: 'lit', v: 0 }, r: this.expr(ex[0]!, at) };
        return { k: 'bin', op, l: this.expr(ex[0]!, at), r: this.expr(ex[1]!, at) };
      }
    }
    return this.fail(`Unsupported expression (${raw.type})`, at, 'use references, literals, lists, maps and arithmetic');
  }
}

function intLiteral(s: string): Value {
  const n = Number(s);
  if (Number.isSafeInteger(n)) return intValue(n);
  return /^-?\d+$/.test(s) ? intValue(BigInt(s)) : null;
}

export function compileProgram(source: string): Program {
  const src = new Source(source);
  const compiler = new Compiler(src);
  const nodes = compiler.nodes(parseChecked(source, src));
  return { nodes, macros: compiler.macros };
}
