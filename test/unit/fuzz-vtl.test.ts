// Fuzzing the VTL engine with templates assembled from Velocity's own building blocks (directives, references,
// ranges, string doubling, macros, deep nesting), which random strings almost never form. test/unit/vtl-props.test.ts
// covers totality on random text; this file aims at the expensive corners: no throw from render, only
// VtlSyntaxError from compile, and every render bounded (the engine's step, output, loop and depth limits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileTemplate, renderTemplate, VtlSyntaxError } from '../../src/gateway/vtl/index.js';

const SEED = 20261125;

const FRAGMENTS = [
  "$input.json('$')",
  "$input.path('$')",
  "$input.path('$.items')",
  "$input.path('$..*')",
  "$input.params('x')",
  '$input.params()',
  "$input.json('$[?(@.a > 1)]')",
  '$context.requestId',
  '$context.responseOverride.status',
  '$context.requestOverride.header.X',
  '$stageVariables.v',
  '$util.escapeJavaScript($s)',
  '$util.parseJson($s)',
  '$util.base64Decode($s)',
  '$util.base64Encode($s)',
  '$util.urlDecode($s)',
  '$util.urlEncode($s)',
  '#set($s = "$s$s")',
  '#set($s = "x")',
  '#set($n = $n + 1)',
  '#set($n = 2147483647)',
  '#set($l = [])',
  '#set($d = $l.add($l))',
  '#set($m = {})',
  '#set($d = $m.put("k", $m))',
  '$m',
  '$l',
  '#foreach($i in [1..1000])',
  '#foreach($i in [-2147483648..2147483647])',
  '#foreach($i in $l)',
  '#foreach($i in $input.path(\'$.items\'))',
  '#end',
  '#if($s)',
  '#elseif($n > 1)',
  '#else',
  '#break',
  '#stop',
  '#macro(m $a)#m($a)#end',
  '#m(1)',
  '#define($blk)$blk#end',
  '$blk',
  '#evaluate($s)',
  '#parse("x")',
  '#include("x")',
  '$s.length()',
  '$s.substring(1, 2)',
  '$s.replaceAll("(a+)+$", "b")',
  '$s.matches("(x+x+)+y")',
  '$s.split("")',
  '$s.repeat(100000)',
  '$n.toString()',
  '$s.getClass().forName("java.lang.Runtime")',
  '${s}',
  '$!s',
  '$!{s}',
  '\\$s',
  '##',
  '#*',
  '*#',
  '#[[',
  ']]#',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  ',',
  ' ',
  '\n',
  '==',
  '&&',
  '||',
  '!',
  '+',
  '*',
  '/',
  '%',
  '1',
  '-1',
  '1e308',
  '9999999999999999999999',
  'text',
  '\u0000',
  '\ud800',
  '€',
];

const template = fc.array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...FRAGMENTS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), { maxLength: 40 }).map((parts) => parts.join(''));

const body = fc.oneof(
  fc.constant('{"items":[1,2,3],"a":2}'),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 40 }),
  fc.constant(`{"items":[${Array.from({ length: 2000 }, (_, i) => i).join(',')}]}`),
);

function renderInput(b: string) {
  return { input: { body: b, params: { path: {}, querystring: { x: 'q' }, header: { X: 'h' } } }, context: { requestId: 'r', stage: 'dev' }, stageVariables: { v: '1' } };
}

test('templates made of Velocity building blocks: compile only throws VtlSyntaxError, render never throws and stays bounded', () => {
  fc.assert(
    fc.property(template, body, (source, b) => {
      let compiled;
      try {
        compiled = compileTemplate(source);
      } catch (e) {
        assert.ok(e instanceof VtlSyntaxError, `compile threw ${String(e)} for ${JSON.stringify(source)}`);
        return;
      }
      const out = renderTemplate(compiled, renderInput(b));
      assert.ok(out.output.length <= 10 * 1024 * 1024, 'output within the payload limit');
      if (out.error) assert.equal(out.output, '');
    }),
    { seed: SEED, numRuns: 800 },
  );
});

test('hand-picked worst cases end with an error or a bounded output, quickly enough to not need a timeout', () => {
  const cases = [
    // Doubling a string 64 times: 2^64 characters unless a limit stops it.
    '#set($s = "x")#foreach($i in [1..64])#set($s = "$s$s")#end$s.length()',
    '#set($s = "x")#foreach($i in [1..64])#set($s = "$s$s")#end$s',
    // Nested loops: 1000^3 iterations without the step limit.
    '#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])x#end#end#end',
    // Unbounded recursion through a macro.
    '#macro(r $n)#r($n)#end#r(1)',
    // A list and a map that contain themselves, then printed.
    '#set($l = [])#set($d = $l.add($l))$l',
    '#set($m = {})#set($d = $m.put("k", $m))$m',
    // Catastrophic backtracking in Java regular expressions.
    '#set($s = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")$s.matches("(a+)+$")',
    '#set($s = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")$s.replaceAll("(x+x+)+y", "")',
    // Deep nesting in the parser.
    `${'#if(true)'.repeat(5000)}x${'#end'.repeat(5000)}`,
    `$util.escapeJavaScript(${'('.repeat(5000)}1${')'.repeat(5000)})`,
    `#set($x = ${'['.repeat(5000)}${']'.repeat(5000)})`,
    `#set($x = ${'{"a":'.repeat(3000)}1${'}'.repeat(3000)})`,
    // Huge ranges.
    '#foreach($i in [0..2147483647])$i#end',
    '#set($r = [0..2147483647])$r.size()',
    // JSONPath that walks everything repeatedly.
    "#foreach($i in [1..1000])$input.json('$..*')#end",
  ];
  const big = `{"items":[${Array.from({ length: 2000 }, (_, i) => `{"a":${i},"b":[${i},${i}]}`).join(',')}]}`;
  for (const source of cases) {
    let compiled;
    try {
      compiled = compileTemplate(source);
    } catch (e) {
      assert.ok(e instanceof VtlSyntaxError, `${source.slice(0, 60)}: compile threw ${String(e)}`);
      continue;
    }
    const out = renderTemplate(compiled, renderInput(big));
    assert.ok(out.output.length <= 10 * 1024 * 1024, source.slice(0, 60));
  }
});
