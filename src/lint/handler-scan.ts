import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceLocation } from '../iac/diagnostics.js';

/** The handler's source file for a Node or Python handler string, as the runtimes resolve it. */
export function handlerFile(dir: string, handler: string, runtime: string): string | undefined {
  const dot = handler.lastIndexOf('.');
  const module = dot > 0 ? handler.slice(0, dot) : handler;
  const candidates = runtime.startsWith('python') ? [`${module.replace(/\./g, '/')}.py`] : ['.js', '.mjs', '.cjs', '.ts', '.mts'].map((e) => `${module}${e}`);
  return candidates.map((c) => join(dir, c)).find((f) => existsSync(f));
}

export interface ScanResult {
  setsCorsHeaders: SourceLocation[];
  /** Returns of a response object (statusCode) with no CORS header. */
  returnsWithoutCors: SourceLocation[];
  returnsWithCors: number;
  /** Origin checks that match more than intended (unanchored regex, endsWith/includes on a bare domain). */
  overbroadChecks: { location: SourceLocation; text: string }[];
  wrapped: boolean;
}

function locationAt(file: string, text: string, index: number): SourceLocation {
  const before = text.slice(0, index).split('\n');
  return { file, line: before.length, column: before[before.length - 1]!.length + 1, path: '' };
}

/** The text of the object/dict literal starting at `open` (a "{"), by brace matching; strings are skipped roughly. */
function literalAt(text: string, open: number): string {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(open, i + 1);
  }
  return text.slice(open);
}

/**
 * A static look at the common handler shapes (JS/TS `return { statusCode, headers, body }`, Python
 * `return {"statusCode": ..., "headers": ...}`): which responses carry CORS headers, and which origin checks
 * over-match. Headers built elsewhere (a variable, a spread, a helper call) count as carrying them.
 */
export function scanHandler(file: string): ScanResult {
  const text = readFileSync(file, 'utf8');
  const out: ScanResult = { setsCorsHeaders: [], returnsWithoutCors: [], returnsWithCors: 0, overbroadChecks: [], wrapped: /\bwithCors\s*\(|with_cors\s*\(/.test(text) };
  for (const m of text.matchAll(/access-control-allow-origin/gi)) out.setsCorsHeaders.push(locationAt(file, text, m.index));
  for (const m of text.matchAll(/\breturn\s*\(?\s*\{/g)) {
    const open = m.index + m[0].length - 1;
    const literal = literalAt(text, open);
    if (!/["']?statusCode["']?\s*:/.test(literal)) continue;
    const headers = /["']?(?:multiValueHeaders|headers)["']?\s*:\s*([^,}\n]+)/.exec(literal);
    const hasCors = /access-control-allow-origin/i.test(literal) || (headers !== null && !/^\{/.test(headers[1]!.trim())) || /\.\.\.\w|\*\*\w/.test(literal);
    if (hasCors) out.returnsWithCors++;
    else out.returnsWithoutCors.push(locationAt(file, text, m.index));
  }
  // Origin checks: endsWith('example.com') / includes / an unanchored or unescaped regular expression.
  const checks = [
    /\b(?:origin|Origin)\w*\s*\.\s*(?:endsWith|includes|indexOf)\s*\(\s*['"]([^'"]+)['"]/g,
    /\b(?:origin|Origin)\w*\.?(?:endswith|__contains__)\s*\(\s*['"]([^'"]+)['"]/g,
    /\/([^/\n]*[a-z0-9]\.[a-z]{2,}[^/\n]*)\/[gimsuy]*\.test\(\s*(?:origin|Origin|event)/g,
    /re\.(?:match|search)\(\s*r?['"]([^'"]+)['"]\s*,\s*origin/g,
  ];
  for (const re of checks) {
    for (const m of text.matchAll(re)) {
      const pattern = m[1]!;
      const literalDomain = !/^[.\\]|^https?:\/\//.test(pattern);
      const unanchoredRegex = re.source.startsWith('\\/') || re.source.startsWith('re\\.') ? !pattern.endsWith('$') || /[^\\]\.[a-z]/.test(pattern) : false;
      const substring = /includes|indexOf|__contains__/.test(m[0]);
      if (substring || unanchoredRegex || (literalDomain && /endsWith|endswith/.test(m[0]))) out.overbroadChecks.push({ location: locationAt(file, text, m.index), text: m[0] });
    }
  }
  return out;
}
