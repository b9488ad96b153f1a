import { readFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, YAMLParseError, type CollectionTag, type Node, type ScalarTag } from 'yaml';
import { IacError, type SourceLocation } from './diagnostics.js';

export type JsonPath = readonly (string | number)[];

/** A parsed template or definition: plain JSON values, plus where each of them came from. */
export interface SourceDoc {
  file: string;
  value: unknown;
  /** The location of the value at `path`, or of its nearest ancestor that has one. */
  locate(path: JsonPath): SourceLocation;
}

/**
 * CloudFormation's short-form tags (AWS CloudFormation User Guide, intrinsic-function-reference): each becomes the
 * long form `{ "Fn::Name": ... }`; `!Ref` and `!Condition` keep their bare names.
 */
const SHORT_TAGS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!Sub': 'Fn::Sub',
  '!GetAtt': 'Fn::GetAtt',
  '!Join': 'Fn::Join',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!Not': 'Fn::Not',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!FindInMap': 'Fn::FindInMap',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!Base64': 'Fn::Base64',
  '!ImportValue': 'Fn::ImportValue',
  '!GetAZs': 'Fn::GetAZs',
  '!Cidr': 'Fn::Cidr',
  '!Transform': 'Fn::Transform',
  '!ToJsonString': 'Fn::ToJsonString',
  '!Length': 'Fn::Length',
};

// Registered so the parser accepts them on any node kind; the conversion to long form happens in toValue, where
// the node's position is at hand.
const CUSTOM_TAGS: (ScalarTag | CollectionTag)[] = Object.keys(SHORT_TAGS).flatMap((tag) => [
  { tag, resolve: (s: string) => s } as ScalarTag,
  { tag, collection: 'seq' } as CollectionTag,
  { tag, collection: 'map' } as CollectionTag,
]);

const SEP = '\u0000';
const keyOf = (path: JsonPath) => path.join(SEP);

export function readSource(file: string): SourceDoc {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IacError(
      code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file}: ${(e as Error).message}`,
      undefined,
      code === 'ENOENT' ? 'check the path (relative paths are resolved from the current directory)' : undefined,
    );
  }
  return parseSource(file, text);
}

/** Parses YAML (with CloudFormation short tags) or JSON, keeping every value's line and column. */
export function parseSource(file: string, text: string): SourceDoc {
  if (file.endsWith('.json') || looksLikeJson(text)) {
    // JSON.parse is the judge of JSON syntax; YAML, a superset, would accept some broken JSON.
    try {
      JSON.parse(text);
    } catch {
      return parseJson(file, text);
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { customTags: CUSTOM_TAGS, lineCounter, uniqueKeys: true, prettyErrors: false, strict: false });
  const offsets = new Map<string, number>();
  const posOf = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    // JSON with tab indentation is valid JSON but not valid YAML; JSON.parse is the judge for JSON files.
    if (looksLikeJson(text)) return parseJson(file, text);
    const at = e instanceof YAMLParseError ? posOf(e.pos[0]) : { line: 1, col: 1 };
    const what = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
    throw new IacError(`YAML syntax error: ${what}`, { file, line: at.line, column: at.col, path: '' }, 'fix the YAML at that line and column (indentation, quotes, a missing colon)');
  }
  const value = toValue(doc.contents as Node | null, [], offsets, file, posOf);
  return {
    file,
    value,
    locate(path) {
      for (let n = path.length; n >= 0; n--) {
        const off = offsets.get(keyOf(path.slice(0, n)));
        if (off !== undefined) {
          const p = posOf(off);
          return { file, line: p.line, column: p.col, path: jsonPathText(path) };
        }
      }
      return { file, line: 1, column: 1, path: jsonPathText(path) };
    },
  };
}

function looksLikeJson(text: string): boolean {
  return /^\s*[{[]/.test(text);
}

function parseJson(file: string, text: string): SourceDoc {
  try {
    const value: unknown = JSON.parse(text);
    return { file, value, locate: (path) => ({ file, line: 1, column: 1, path: jsonPathText(path) }) };
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const offset = m ? Number(m[1]) : 0;
    const before = text.slice(0, offset).split('\n');
    throw new IacError(`JSON syntax error: ${(e as Error).message.replace(/ in JSON at position \d+.*$/, '')}`, { file, line: before.length, column: before[before.length - 1]!.length + 1, path: '' }, 'fix the JSON at that line and column');
  }
}

function toValue(node: Node | null, path: (string | number)[], offsets: Map<string, number>, file: string, posOf: (o: number) => { line: number; col: number }): unknown {
  if (node === null || node === undefined) return null;
  if (node.range) offsets.set(keyOf(path), node.range[0]);
  if (isAlias(node)) {
    const p = posOf(node.range?.[0] ?? 0);
    throw new IacError('YAML aliases (*name) are not supported in CloudFormation templates', { file, line: p.line, column: p.col, path: jsonPathText(path) }, 'write the value out instead of using an anchor and alias');
  }
  const tag = node.tag && SHORT_TAGS[node.tag];
  let value: unknown;
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const childPath = tag ? [...path, tag, key] : [...path, key];
      if (keyNode?.range) offsets.set(keyOf(childPath), keyNode.range[0]);
      out[key] = toValue(pair.value as Node | null, childPath, offsets, file, posOf);
      if (keyNode?.range && !offsets.has(keyOf(childPath))) offsets.set(keyOf(childPath), keyNode.range[0]);
      // The key's position is the better pointer for a property ("Handler:" rather than its value).
      if (keyNode?.range) offsets.set(keyOf(childPath), keyNode.range[0]);
    }
    value = out;
  } else if (isSeq(node)) {
    value = node.items.map((item, i) => toValue(item as Node | null, tag ? [...path, tag, i] : [...path, i], offsets, file, posOf));
  } else if (isScalar(node)) {
    value = node.value;
    if (typeof value === 'string' && tag === 'Fn::GetAtt') {
      // !GetAtt Resource.Attribute: the first dot separates the resource from the attribute.
      const dot = value.indexOf('.');
      value = dot === -1 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
    }
    if (value === null && tag) value = '';
  }
  if (tag) {
    if (node.range) offsets.set(keyOf([...path, tag]), node.range[0]);
    return { [tag]: value };
  }
  return value;
}

/** Resources.Fn.Properties.Events.Get.Properties.Path, with [n] for list items. */
export function jsonPathText(path: JsonPath): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${p}` : p;
  }
  return out;
}
