// java.util.regex on top of JS RegExp, for String.replaceAll/replaceFirst/split/matches and JSONPath `=~`.
// The dialects mostly agree; the differences that change results in real templates are translated here
// (Java's `$` also matches before a final line terminator, `.` excludes \u0085, \A/\z, \Q..\E, inline flags,
// POSIX classes, possessive quantifiers). Constructs JS cannot express fail as PatternSyntaxException would.

import v8 from 'node:v8';
import { JavaException } from './values.js';

// Patterns and the strings they run on come from templates and requests; a pattern such as (a+)+$ backtracks
// exponentially and would block the server's one thread for minutes (found by test/unit/fuzz-vtl). V8 can switch such
// a regex to its linear-time engine once it has backtracked too much: same results, bounded time. Process-wide; it
// only changes how long pathological matches take. (Backreferences and lookarounds have no linear engine.)
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
  javaLowerCase: 'a-z',
  javaUpperCase: 'A-Z',
  javaWhitespace: ' \\t\\n\\x0B\\f\\r\\x1C-\\x1F',
};

const LINE_TERM = '\\n\\r\\u0085\\u2028\\u2029';

const cache = new Map<string, RegExp>();

function syntax(desc: string, pattern: string, index: number): never {
  throw new JavaException('java.util.regex.PatternSyntaxException', `${desc} near index ${index}\n${pattern}`);
}

/** Compiles a Java pattern; `g`/`y` etc. may be added through `jsFlags`. Results are cached (templates reuse literals). */
export function javaRegex(pattern: string, jsFlags = ''): RegExp {
  const key = jsFlags + '\u0000' + pattern;
  const hit = cache.get(key);
  if (hit) {
    hit.lastIndex = 0;
    return hit;
  }
  const { source, flags } = translate(pattern);
  let re: RegExp;
  try {
    re = new RegExp(source, [...new Set(flags + jsFlags)].join(''));
  } catch (e) {
    return syntax(e instanceof Error ? e.message : 'invalid pattern', pattern, 0);
  }
  if (cache.size > 500) cache.clear();
  cache.set(key, re);
  return re;
}

function translate(p: string): { source: string; flags: string } {
  let flags = '';
  let dotAll = false;
  let multiline = false;
  let out = '';
  let i = 0;
  let inClass = 0;
  const n = p.length;
  while (i < n) {
    const c = p[i]!;
    if (c === '\\') {
      const d = p[i + 1];
      if (d === undefined) syntax('Unexpected internal error', p, i);
      if (d === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const lit = end === -1 ? p.slice(i + 2) : p.slice(i + 2, end);
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end === -1 ? n : end + 2;
        continue;
      }
      if (d === 'p' || d === 'P') {
        const m = /^\{(?:Is)?([A-Za-z]+)\}/.exec(p.slice(i + 2));
        const body = m ? POSIX[m[1]!] : undefined;
        if (!m || body === undefined) syntax('Unsupported character property', p, i);
        if (inClass) {
          if (d === 'P') syntax('Unsupported negated property inside a class', p, i);
          out += body;
        } else out += `[${d === 'P' ? '^' : ''}${body}]`;
        i += 2 + m[0].length;
        continue;
      }
      if (!inClass && d === 'A') {
        out += '(?<![\\s\\S])';
        i += 2;
        continue;
      }
      if (!inClass && d === 'z') {
        out += '(?![\\s\\S])';
        i += 2;
        continue;
      }
      if (!inClass && d === 'Z') {
        out += `(?=(?:\\r\\n|[${LINE_TERM}])?(?![\\s\\S]))`;
        i += 2;
        continue;
      }
      if (d === 'G' || d === 'X' || d === 'R' || d === 'N') syntax(`Unsupported escape \\${d}`, p, i);
      if (d === 'h') {
        out += inClass ? ' \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000' : '[ \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000]';
        i += 2;
        continue;
      }
      if (d === 'v') {
        out += inClass ? '\\n\\x0B\\f\\r\\x85\\u2028\\u2029' : '[\\n\\x0B\\f\\r\\x85\\u2028\\u2029]';
        i += 2;
        continue;
      }
      if (d === 'e') {
        out += '\\x1B';
        i += 2;
        continue;
      }
      if (d === 'a') {
        out += '\\x07';
        i += 2;
        continue;
      }
      if (d === 'x' && p[i + 2] === '{') {
        const end = p.indexOf('}', i + 3);
        const cp = end === -1 ? NaN : parseInt(p.slice(i + 3, end), 16);
        if (!Number.isFinite(cp) || cp > 0x10ffff) syntax('Illegal hexadecimal escape sequence', p, i);
        out += String.fromCodePoint(cp)
          .split('')
          .map((u) => '\\u' + u.charCodeAt(0).toString(16).padStart(4, '0'))
          .join('');
        i = end + 1;
        continue;
      }
      if (d === '0') {
        const m = /^[0-7]{1,3}/.exec(p.slice(i + 2));
        if (!m) syntax('Illegal octal escape sequence', p, i);
        out += '\\x' + parseInt(m[0], 8).toString(16).padStart(2, '0');
        i += 2 + m[0].length;
        continue;
      }
      if (/[a-zA-Z]/.test(d) && !/[dDsSwWbBtnrfcukx]/.test(d)) syntax(`Illegal/unsupported escape sequence \\${d}`, p, i);
      out += c + d;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[') {
        // Java allows nested classes (unions); JS does not.
        syntax('Unsupported nested character class', p, i);
      }
      if (c === '&' && p[i + 1] === '&') syntax('Unsupported character class intersection', p, i);
      if (c === ']') inClass = 0;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = 1;
      out += c;
      i++;
      if (p[i] === '^') {
        out += '^';
        i++;
      }
      if (p[i] === ']') {
        // A leading ] is literal in Java.
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && p[i + 1] === '?') {
      const m = /^\(\?([idmsuxU-]+)(\)|:)/.exec(p.slice(i));
      if (m) {
        const on = m[1]!.split('-')[0]!;
        if (on.includes('x')) syntax('Unsupported comments flag (?x)', p, i);
        if (on.includes('i') && !flags.includes('i')) flags += 'i';
        if (on.includes('s')) dotAll = true;
        if (on.includes('m')) multiline = true;
        if (m[2] === ')') {
          i += m[0].length;
          continue;
        }
        out += '(?:';
        i += m[0].length;
        continue;
      }
      if (p[i + 2] === '>') {
        out += '(?:';
        i += 3;
        continue;
      }
      out += '(?';
      i += 2;
      continue;
    }
    if ((c === '*' || c === '+' || c === '?' || c === '}') && p[i + 1] === '+') {
      // Possessive quantifier: JS has none; the greedy one matches the same strings in practice.
      out += c;
      i += 2;
      continue;
    }
    if (c === '.') {
      out += dotAll ? '[\\s\\S]' : `[^${LINE_TERM}]`;
      i++;
      continue;
    }
    if (c === '$') {
      out += multiline ? '$' : `(?=(?:\\r\\n|[${LINE_TERM}])?(?![\\s\\S]))`;
      i++;
      continue;
    }
    if (c === '^' && multiline) {
      // Java's MULTILINE ^ never matches after a line terminator that ends the input; JS's does.
      out += '(?:(?<![\\s\\S])|(?<=\\r\\n|[\\n\\u0085\\u2028\\u2029]|\\r(?!\\n))(?=[\\s\\S]))';
      i++;
      continue;
    }
    out += c;
    i++;
  }
  if (inClass) syntax('Unclosed character class', p, n - 1);
  if (multiline) flags += 'm';
  return { source: out, flags };
}

type ReplacementPart = string | { group: number | string };

/** Matcher.appendReplacement's syntax: `$n`, `${name}`, and backslash escapes. */
function parseReplacement(rep: string, groupCount: number): ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let lit = '';
  for (let i = 0; i < rep.length; i++) {
    const c = rep[i]!;
    if (c === '\\') {
      i++;
      if (i >= rep.length) throw new JavaException('java.lang.IllegalArgumentException', 'character to be escaped is missing');
      lit += rep[i];
    } else if (c === '$') {
      i++;
      if (i >= rep.length) throw new JavaException('java.lang.IllegalArgumentException', 'Illegal group reference: group index is missing');
      if (rep[i] === '{') {
        const end = rep.indexOf('}', i);
        const name = end === -1 ? '' : rep.slice(i + 1, end);
        if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(name)) throw new JavaException('java.lang.IllegalArgumentException', 'named capturing group is missing trailing \'}\'');
        if (lit) parts.push(lit);
        lit = '';
        parts.push({ group: name });
        i = end;
      } else {
        let num = rep.charCodeAt(i) - 48;
        if (num < 0 || num > 9) throw new JavaException('java.lang.IllegalArgumentException', 'Illegal group reference');
        // Java keeps consuming digits while the number still names an existing group.
        while (i + 1 < rep.length) {
          const next = rep.charCodeAt(i + 1) - 48;
          if (next < 0 || next > 9 || num * 10 + next > groupCount) break;
          num = num * 10 + next;
          i++;
        }
        if (num > groupCount) throw new JavaException('java.lang.IndexOutOfBoundsException', `No group ${num}`);
        if (lit) parts.push(lit);
        lit = '';
        parts.push({ group: num });
      }
    } else lit += c;
  }
  if (lit) parts.push(lit);
  return parts;
}

function groupCountOf(re: RegExp): number {
  // A successful match against the empty alternative tells how many groups the pattern has.
  return new RegExp(`${re.source}|`, re.flags.replace(/[gy]/g, '')).exec('')!.length - 1;
}

function expand(parts: ReplacementPart[], m: RegExpExecArray): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else if (typeof part.group === 'number') out += m[part.group] ?? '';
    else {
      const g = m.groups?.[part.group];
      if (m.groups === undefined || !(part.group in m.groups)) throw new JavaException('java.lang.IllegalArgumentException', `No group with name {${part.group}}`);
      out += g ?? '';
    }
  }
  return out;
}

export function javaReplace(s: string, pattern: string, replacement: string, all: boolean): string {
  const re = javaRegex(pattern, 'g');
  const parts = parseReplacement(replacement, groupCountOf(re));
  let out = '';
  let last = 0;
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(s);
    if (!m) break;
    out += s.slice(last, m.index) + expand(parts, m);
    last = m.index + m[0].length;
    if (m[0].length === 0) re.lastIndex++;
    if (!all) break;
    if (re.lastIndex > s.length) break;
  }
  return out + s.slice(last);
}

/** String.split(regex, limit), including Java's rules for leading and trailing empty strings. */
export function javaSplit(s: string, pattern: string, limit = 0): string[] {
  const re = javaRegex(pattern, 'g');
  const out: string[] = [];
  let last = 0;
  re.lastIndex = 0;
  for (;;) {
    if (limit > 0 && out.length === limit - 1) break;
    const m = re.exec(s);
    if (!m) break;
    const end = m.index + m[0].length;
    if (m[0].length === 0) {
      re.lastIndex++;
      if (m.index >= s.length) break;
      // A zero-width match at the very beginning never yields a leading empty string.
      if (m.index === 0) continue;
    }
    out.push(s.slice(last, m.index));
    last = end;
  }
  if (out.length === 0 && last === 0) return [s];
  out.push(s.slice(last));
  if (limit === 0) while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

export function javaMatches(s: string, pattern: string): boolean {
  return fullMatcher(javaRegex(pattern)).test(s);
}

/** What a non-multiline Java `$` becomes (see translate): before an optional final line terminator, then the end. */
const JAVA_END = `(?=(?:\\r\\n|[${LINE_TERM}])?(?![\\s\\S]))`;
const fullCache = new Map<string, RegExp>();

/**
 * The pattern anchored at both ends, for matches(). Without the multiline flag the anchors are ^ and $, and a
 * trailing Java `$` is dropped (the match must end there anyway): a regex without lookarounds can fall back to V8's
 * linear-time engine when it backtracks too much, so (a+)+$ on a long input no longer blocks the server.
 */
function fullMatcher(re: RegExp): RegExp {
  const key = `${re.flags}\u0000${re.source}`;
  let full = fullCache.get(key);
  if (!full) {
    if (re.flags.includes('m')) full = new RegExp(`(?<![\\s\\S])(?:${re.source})(?![\\s\\S])`, re.flags);
    else {
      let src = re.source;
      if (src.endsWith(JAVA_END) && !/(^|[^\\])(\\\\)*\\$/.test(src.slice(0, -JAVA_END.length))) src = src.slice(0, -JAVA_END.length);
      full = new RegExp(`^(?:${src})$`, re.flags);
    }
    if (fullCache.size > 500) fullCache.clear();
    fullCache.set(key, full);
  }
  full.lastIndex = 0;
  return full;
}
