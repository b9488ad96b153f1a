// The REST router (src/gateway/path-trie.ts + matchRoute in rest/compile.ts) against a brute-force reference of
// API Gateway's rule: of the resources whose template matches the path and that have the method (or ANY), the one
// that is most specific at the first position where they differ — a literal part before {param} before {greedy+}
// (AGDG api-gateway-method-settings-method-request "proxy resource"; floci-io/floci#3399 for backing off to a less
// specific resource that has the method). Seeded; bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PathTrie, captureNames, parseTemplate, type TemplatePart } from '../../src/gateway/path-trie.js';
import { matchRoute, type CompiledMethod, type CompiledResource } from '../../src/gateway/rest/compile.js';
import type { Resource } from '../../src/model/restapi.js';

const SEED = 20261125;

interface Spec {
  path: string;
  methods: string[];
}

/** Resource templates as API Gateway allows them: one variable name per position, {proxy+} only last. */
const template = fc
  .array(fc.constantFrom('a', 'b', 'c', '{v}', '{proxy+}'), { minLength: 0, maxLength: 4 })
  .map((parts) => {
    const cut = parts.indexOf('{proxy+}');
    const kept = cut === -1 ? parts : parts.slice(0, cut + 1);
    return '/' + kept.map((p, i) => (p === '{v}' ? `{v${i}}` : p)).join('/');
  });

const resources = fc.uniqueArray(fc.record({ path: template, methods: fc.subarray(['GET', 'POST', 'ANY'], { minLength: 1 }) }), { selector: (r) => r.path, maxLength: 12 });

const requestPath = fc
  .array(fc.constantFrom('a', 'b', 'c', 'x', '', '%2F', '..', '%zz', 'A', 'é'), { maxLength: 6 })
  .chain((segs) => fc.constantFrom('', '/').map((tail) => '/' + segs.join('/') + tail));

function buildTrie(specs: Spec[]): PathTrie<CompiledResource> {
  const trie = new PathTrie<CompiledResource>();
  for (const spec of specs) {
    const parts = parseTemplate(spec.path);
    const resource = { id: spec.path, path: spec.path } as Resource;
    const compiled = trie.upsert(parts, () => ({ resource, methods: new Map(), params: captureNames(parts) }));
    for (const m of spec.methods) compiled.methods.set(m, { resource } as CompiledMethod);
  }
  return trie;
}

/** The reference: every template tried against the path on its own, then ranked. */
function reference(specs: Spec[], path: string, method: string): { resource: string; params: Record<string, string> } | undefined {
  const segments: string[] = [];
  const offsets: number[] = [];
  for (const m of path.matchAll(/[^/]+/g)) {
    segments.push(m[0]);
    offsets.push(m.index!);
  }
  const rank = (parts: TemplatePart[]) => parts.map((p) => (p.kind === 'literal' ? 0 : p.kind === 'param' ? 1 : 2));
  let best: { key: number[]; resource: string; params: Record<string, string> } | undefined;
  for (const spec of specs) {
    if (!spec.methods.includes(method) && !spec.methods.includes('ANY')) continue;
    const parts = parseTemplate(spec.path);
    const params: Record<string, string> = {};
    let ok = true;
    for (let k = 0; k < parts.length && ok; k++) {
      const part = parts[k]!;
      if (part.kind === 'greedy') {
        if (k >= segments.length) ok = false;
        else params[part.name] = path.slice(offsets[k]).replace(/\/+$/, '');
      } else if (k >= segments.length) ok = false;
      else if (part.kind === 'literal') ok = part.text === segments[k];
      else params[part.name] = segments[k]!;
    }
    const greedy = parts.some((p) => p.kind === 'greedy');
    if (!ok || (!greedy && parts.length !== segments.length)) continue;
    const key = rank(parts);
    if (!best || lexLess(key, best.key)) best = { key, resource: spec.path, params };
  }
  return best && { resource: best.resource, params: best.params };
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
}

test('matchRoute picks the resource the reference picks, with the same path parameters', () => {
  fc.assert(
    fc.property(resources, requestPath, fc.constantFrom('GET', 'POST', 'DELETE'), (specs, path, method) => {
      const got = matchRoute(buildTrie(specs), path, method);
      const want = reference(specs, path, method);
      assert.deepEqual(got && { resource: got.resource.path, params: got.pathParams }, want);
    }),
    { seed: SEED, numRuns: 3000 },
  );
});

test('a wide and deep tree and very long paths stay bounded (the walk visits each node at most once)', () => {
  const specs: Spec[] = [];
  // Every node has a literal and a {param} child, 8 levels deep: the backtracking walk's worst shape.
  const grow = (prefix: string, depth: number) => {
    if (depth === 8) return;
    for (const part of ['a', `{v${depth}}`]) {
      const path = `${prefix}/${part}`;
      specs.push({ path, methods: depth === 7 && part === 'a' ? ['POST'] : ['GET'] });
      grow(path, depth + 1);
    }
  };
  grow('', 0);
  const trie = buildTrie(specs);
  // A path that matches every template shape for 7 levels, then fails: the walk must give up without blowing up.
  assert.equal(matchRoute(trie, '/a/a/a/a/a/a/a/a/zz', 'GET'), undefined);
  const deep = matchRoute(trie, '/a/a/a/a/a/a/a/zz', 'GET');
  assert.equal(deep?.resource.path, '/a/a/a/a/a/a/a/{v7}');
  const long = '/' + Array.from({ length: 20_000 }, (_, i) => `s${i}`).join('/');
  assert.equal(matchRoute(trie, long, 'GET'), undefined);
  const greedy = buildTrie([{ path: '/{proxy+}', methods: ['ANY'] }]);
  assert.equal(matchRoute(greedy, long, 'GET')?.pathParams['proxy'], long.slice(1));
});
