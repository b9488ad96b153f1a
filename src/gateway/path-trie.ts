/**
 * Path templates (literal parts, {param} parts, a final {greedy+} part) in a trie, matched as API Gateway matches
 * them: literal before {param} before {greedy+} at every level, backing off to a less specific template when the
 * more specific one has nothing for the request (the caller's `pick` decides, e.g. by method). Captures are
 * positional, so templates that name the same position differently can share it.
 */
interface Node<T> {
  value?: T;
  literals: Map<string, Node<T>>;
  param?: Node<T>;
  greedy?: T;
}

export type TemplatePart = { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export function parseTemplate(path: string): TemplatePart[] {
  if (path === '/' || path === '') return [];
  return path
    .replace(/^\//, '')
    .split('/')
    .map((part): TemplatePart => {
      const greedy = /^\{(.+)\+\}$/.exec(part);
      if (greedy) return { kind: 'greedy', name: greedy[1]! };
      const param = /^\{(.+)\}$/.exec(part);
      if (param) return { kind: 'param', name: param[1]! };
      return { kind: 'literal', text: part };
    });
}

export class PathTrie<T> {
  private readonly root: Node<T> = { literals: new Map() };

  /** The value stored for a template, creating it with `create` when absent. */
  upsert(parts: readonly TemplatePart[], create: () => T): T {
    let node = this.root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.kind === 'greedy') return (node.greedy ??= create());
      if (part.kind === 'param') {
        node = node.param ??= { literals: new Map() };
      } else {
        let next = node.literals.get(part.text);
        if (!next) {
          next = { literals: new Map() };
          node.literals.set(part.text, next);
        }
        node = next;
      }
    }
    return (node.value ??= create());
  }

  /**
   * The first template, most specific first, for which `pick` returns something. `captures` holds the {param}
   * values in order, then the greedy remainder (still encoded, without a trailing slash).
   */
  match<R>(path: string, pick: (value: T, captures: readonly string[]) => R | undefined): R | undefined {
    const segments: string[] = [];
    const offsets: number[] = [];
    let i = 0;
    while (i < path.length) {
      if (path.charCodeAt(i) === 47 /* / */) {
        i++;
        continue;
      }
      let j = path.indexOf('/', i);
      if (j === -1) j = path.length;
      segments.push(path.slice(i, j));
      offsets.push(i);
      i = j;
    }
    const captures: string[] = [];
    const walk = (node: Node<T>, k: number): R | undefined => {
      if (k === segments.length) return node.value === undefined ? undefined : pick(node.value, captures);
      const seg = segments[k]!;
      const lit = node.literals.get(seg);
      if (lit) {
        const r = walk(lit, k + 1);
        if (r !== undefined) return r;
      }
      if (node.param) {
        captures.push(seg);
        const r = walk(node.param, k + 1);
        if (r !== undefined) return r;
        captures.pop();
      }
      if (node.greedy !== undefined) {
        let rest = path.slice(offsets[k]!);
        while (rest.endsWith('/')) rest = rest.slice(0, -1);
        captures.push(rest);
        const r = pick(node.greedy, captures);
        if (r !== undefined) return r;
        captures.pop();
      }
      return undefined;
    };
    return walk(this.root, 0);
  }
}

/** Names of a template's variables in capture order. */
export function captureNames(parts: readonly TemplatePart[]): string[] {
  return parts.filter((p) => p.kind !== 'literal').map((p) => (p as { name: string }).name);
}
