// Property tests for the VTL engine (src/gateway/vtl): JSONPath against direct navigation, escapeJavaScript and
// parseJson round trips, and totality — compileTemplate only ever throws VtlSyntaxError, renderTemplate never
// throws, whatever the template or body.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { compileTemplate, evaluateJsonPath, escapeJavaScript, renderTemplate, VtlSyntaxError, type CompiledTemplate } from '../../src/gateway/vtl/index.js';
import { parseJsonText, toPlain } from '../../src/gateway/vtl/json.js';
import { toJsonText } from '../../src/gateway/vtl/values.js';

// Seeded, so a failure reproduces on every run and machine (change the seed to explore).
fc.configureGlobal({ seed: 20261125 });

const NO_PARAMS = { path: {}, querystring: {}, header: {} };

function render(t: CompiledTemplate, body: string, params = NO_PARAMS) {
  return renderTemplate(t, { input: { body, params }, context: { stage: 'dev', identity: { sourceIp: '127.0.0.1' } }, stageVariables: { v: '1' } });
}

/** JSON values without -0 (JSON text cannot tell -0 from 0 once printed as an integer). */
const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
/** Objects as JSON.parse builds them (fast-check may hand out null-prototype objects). */
const jsonObject = fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 6 }).map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);

/** JSONPath bracket notation for any key. */
function bracket(key: string): string {
  return `['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

/** A path into `doc` that exists, built from its actual keys and indexes, with the value it must reach. */
function pathsInto(doc: unknown, prefix = '$', out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  out.push([prefix, doc]);
  if (Array.isArray(doc)) doc.forEach((v, i) => pathsInto(v, `${prefix}[${i}]`, out));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) pathsInto(v, prefix + bracket(k), out);
  return out;
}

describe('evaluateJsonPath (properties)', () => {
  test('a definite path built from the document reaches the same value as direct navigation', () => {
    fc.assert(
      fc.property(jsonObject, (doc) => {
        for (const [path, expected] of pathsInto(doc)) assert.deepEqual(evaluateJsonPath(doc, path), expected, path);
      }),
      { numRuns: 300 },
    );
  });

  test('dot notation agrees with bracket notation for identifier keys', () => {
    const ident = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/);
    fc.assert(
      fc.property(fc.dictionary(ident, json, { maxKeys: 5 }).map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>), (doc) => {
        for (const k of Object.keys(doc)) assert.deepEqual(evaluateJsonPath(doc, `$.${k}`), evaluateJsonPath(doc, `$${bracket(k)}`));
      }),
    );
  });

  test('$.* lists the values of an object and the items of an array', () => {
    fc.assert(
      fc.property(fc.oneof(jsonObject, fc.array(json, { maxLength: 6 })), (doc) => {
        assert.deepEqual(evaluateJsonPath(doc, '$.*'), Array.isArray(doc) ? doc : Object.values(doc));
      }),
    );
  });

  test('$..key finds every occurrence of the key, in pre-order', () => {
    fc.assert(
      fc.property(jsonObject, fc.string({ maxLength: 6 }), (doc, key) => {
        const found: unknown[] = [];
        const walk = (v: unknown): void => {
          if (Array.isArray(v)) v.forEach(walk);
          else if (v && typeof v === 'object') {
            if (Object.hasOwn(v, key)) found.push((v as Record<string, unknown>)[key]);
            Object.values(v).forEach(walk);
          }
        };
        walk(doc);
        assert.deepEqual(evaluateJsonPath(doc, `$..${bracket(key)}`), found);
      }),
      { numRuns: 300 },
    );
  });

  test('a missing key gives undefined for a definite path and [] for an indefinite one', () => {
    fc.assert(
      fc.property(jsonObject, (doc) => {
        const key = 'k' + Object.keys(doc).join('');
        assert.equal(evaluateJsonPath(doc, `$${bracket(key)}`), undefined);
        assert.deepEqual(evaluateJsonPath(doc, `$[*]${bracket(key)}`), []);
      }),
    );
  });
});

describe('escapeJavaScript and parseJson (round trips)', () => {
  test("escapeJavaScript output, with \\' turned back into ' as the AWS doc advises, is a JSON string literal of the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const escaped = escapeJavaScript(s);
        // Only printable ASCII and DEL survive unescaped: Commons Lang 2 escapes below U+0020 and above U+007F
        // (StringEscapeUtils.escapeJavaScriptStyleString), so U+007F itself passes through.
        assert.match(escaped, /^[\x20-\x7f]*$/);
        assert.equal(JSON.parse(`"${escaped.replaceAll("\\'", "'")}"`), s);
      }),
      { numRuns: 500 },
    );
  });

  test('the escapeJavaScript of a template equals the function', () => {
    const t = compileTemplate('$util.escapeJavaScript($input.body)');
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (s) => {
        assert.equal(render(t, s).output, escapeJavaScript(s));
      }),
    );
  });

  test('$util.parseJson keeps every JSON value: printed back as JSON it parses to the same value', () => {
    fc.assert(
      fc.property(json, (v) => {
        const text = JSON.stringify(v);
        assert.deepEqual(JSON.parse(toJsonText(parseJsonText(text))), v);
        assert.deepEqual(toPlain(parseJsonText(text)), v);
      }),
      { numRuns: 500 },
    );
  });

  test("$input.json('$') of a JSON body parses back to the body's value", () => {
    const t = compileTemplate("$input.json('$')");
    fc.assert(
      fc.property(json, (v) => {
        const out = render(t, JSON.stringify(v)).output;
        assert.deepEqual(JSON.parse(out), v);
      }),
    );
  });

  test('$util.parseJson of a template reaches nested values of the parsed text', () => {
    const t = compileTemplate('#set($o = $util.parseJson($input.path(\'$.s\')))$o.a');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (a) => {
        const body = JSON.stringify({ s: JSON.stringify({ a }) });
        assert.equal(render(t, body).output, a);
      }),
    );
  });
});

// Realistic templates: the console's passthrough template, JSON reshaping, escaping, decoding.
const TEMPLATES = [
  `#set($allParams = $input.params())
{
"body-json" : $input.json('$'),
"params" : {
#foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
"$type" : {
    #foreach($paramName in $params.keySet())
    "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
        #if($foreach.hasNext),#end
    #end
}
    #if($foreach.hasNext),#end
#end
},
"stage-variables" : {
#foreach($key in $stageVariables.keySet())
"$key" : "$util.escapeJavaScript($stageVariables.get($key))"
    #if($foreach.hasNext),#end
#end
},
"context" : { "stage" : "$context.stage", "source-ip" : "$context.identity.sourceIp" }
}`,
  `#set($root = $input.path('$'))
{"n": $root.items.size(), "first": "$root.items[0].name", #foreach($i in $root.items)"$i": $foreach.index#if($foreach.hasNext),#end#end}`,
  `$util.escapeJavaScript($input.body).replaceAll("\\\\'","'") $util.urlEncode($input.body) $util.base64Encode($input.body)`,
  `$util.urlDecode($input.body)|$util.base64Decode($input.body)|$util.parseJson($input.body)`,
  `#set($b = $input.body)$b.length() $b.substring(0, 1) $b.split(",").size() $b.replaceAll("[a-z]", "_") $input.json('$.x[0]') $input.path('$..y')`,
];

describe('totality', () => {
  test('renderTemplate never throws, whatever the body', () => {
    const compiled = TEMPLATES.map(compileTemplate);
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), json.map((v) => JSON.stringify(v)), fc.constant('')), (body) => {
        for (const t of compiled) {
          const o = render(t, body, { path: { id: body.slice(0, 3) }, querystring: { q: body }, header: { H: body } });
          assert.equal(typeof o.output, 'string');
          if (o.error) assert.equal(o.output, '');
        }
      }),
      { numRuns: 300 },
    );
  });

  const token = fc.constantFrom(
    '#', '$', '$!', '${', '}', '(', ')', '{', '[', ']', '"', "'", '\\', '.', ',', ':', '=', '==', '!', '&&', '+', '-', '/', '..',
    '#set(', '#if(', '#elseif(', '#else', '#end', '#foreach(', ' in ', '#break', '#macro(', '#define(', '##', '#*', '*#', '\n', ' ',
    'x', 'y', '1', '2.5', 'true', 'input', 'util', 'context', '.json(', '.path(', '.params(', '.size()', "'$.a'", 'escapeJavaScript(',
  );
  const templateText = fc.oneof(fc.array(token, { maxLength: 40 }).map((a) => a.join('')), fc.string({ unit: 'binary', maxLength: 60 }));

  test('compileTemplate throws nothing but VtlSyntaxError, and what compiles renders without throwing', () => {
    fc.assert(
      fc.property(templateText, (src) => {
        let t: CompiledTemplate;
        try {
          t = compileTemplate(src);
        } catch (e) {
          assert.ok(e instanceof VtlSyntaxError, `unexpected ${String(e)}`);
          assert.ok(e.line >= 1 && e.column >= 1);
          return;
        }
        const o = render(t, '{"a": [1, {"b": "c"}], "x": "y"}');
        assert.equal(typeof o.output, 'string');
      }),
      { numRuns: 3000 },
    );
  });
});
