// evaluateJsonPath: JSONPath as API Gateway evaluates it ($input.path/$input.json, integration.response.body.*
// mappings). The AWS doc points at "JSONPath for Java" (Jayway); the expected values below were produced by Jayway
// json-path 2.10 (json-smart provider) on Goessner's store document.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';

import { evaluateJsonPath, JsonPathSyntaxError } from '../../src/gateway/vtl/index.js';

const store = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings of the Century', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword of Honour', price: 12.99 },
      { category: 'fiction', author: 'Herman Melville', title: 'Moby Dick', isbn: '0-553-21311-3', price: 8.99 },
      { category: 'fiction', author: 'J. R. R. Tolkien', title: 'The Lord of the Rings', isbn: '0-395-19395-8', price: 22.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
  expensive: 10,
};

describe('evaluateJsonPath: Jayway results on the store document', () => {
  const rows: Array<[string, unknown]> = [
  ["$.store.book[*].author", ["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]],
  ["$..author", ["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]],
  ["$.store.*", [[{"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95},{"category":"fiction","author":"Evelyn Waugh","title":"Sword of Honour","price":12.99},{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99},{"category":"fiction","author":"J. R. R. Tolkien","title":"The Lord of the Rings","isbn":"0-395-19395-8","price":22.99}],{"color":"red","price":19.95}]],
  ["$.store..price", [8.95,12.99,8.99,22.99,19.95]],
  ["$..book[2]", [{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99}]],
  ["$..book[-2]", [{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99}]],
  ["$..book[0,1]", [{"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95},{"category":"fiction","author":"Evelyn Waugh","title":"Sword of Honour","price":12.99}]],
  ["$..book[:2]", [{"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95},{"category":"fiction","author":"Evelyn Waugh","title":"Sword of Honour","price":12.99}]],
  ["$..book[1:2]", [{"category":"fiction","author":"Evelyn Waugh","title":"Sword of Honour","price":12.99}]],
  ["$..book[-2:]", [{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99},{"category":"fiction","author":"J. R. R. Tolkien","title":"The Lord of the Rings","isbn":"0-395-19395-8","price":22.99}]],
  ["$..book[2:]", [{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99},{"category":"fiction","author":"J. R. R. Tolkien","title":"The Lord of the Rings","isbn":"0-395-19395-8","price":22.99}]],
  ["$..book[?(@.isbn)]", [{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99},{"category":"fiction","author":"J. R. R. Tolkien","title":"The Lord of the Rings","isbn":"0-395-19395-8","price":22.99}]],
  ["$.store.book[?(@.price < 10)]", [{"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95},{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99}]],
  ["$..book[?(@.price <= $.expensive)]", [{"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95},{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99}]],
  ["$..book[?(@.author =~ /.*REES/i)]", [{"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95}]],
  ["$..*", [{"book":[{"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95},{"category":"fiction","author":"Evelyn Waugh","title":"Sword of Honour","price":12.99},{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99},{"category":"fiction","author":"J. R. R. Tolkien","title":"The Lord of the Rings","isbn":"0-395-19395-8","price":22.99}],"bicycle":{"color":"red","price":19.95}},10,[{"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95},{"category":"fiction","author":"Evelyn Waugh","title":"Sword of Honour","price":12.99},{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99},{"category":"fiction","author":"J. R. R. Tolkien","title":"The Lord of the Rings","isbn":"0-395-19395-8","price":22.99}],{"color":"red","price":19.95},{"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95},{"category":"fiction","author":"Evelyn Waugh","title":"Sword of Honour","price":12.99},{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99},{"category":"fiction","author":"J. R. R. Tolkien","title":"The Lord of the Rings","isbn":"0-395-19395-8","price":22.99},"reference","Nigel Rees","Sayings of the Century",8.95,"fiction","Evelyn Waugh","Sword of Honour",12.99,"fiction","Herman Melville","Moby Dick","0-553-21311-3",8.99,"fiction","J. R. R. Tolkien","The Lord of the Rings","0-395-19395-8",22.99,"red",19.95]],
  ["$..book.length()", 4],
  ["store.bicycle.color", "red"],
  ["$.store.book[0].title", "Sayings of the Century"],
  ["$.store.bicycle", {"color":"red","price":19.95}],
  ["$.expensive", 10],
  ["$..price", [8.95,12.99,8.99,22.99,19.95]],
  ["$..book[?(@.category == 'fiction' && @.price > 20)].title", ["The Lord of the Rings"]],
  ["$.store.book[?(@.category in ['reference'])].author", ["Nigel Rees"]],
  ["$.store.book[?(!@.isbn)].title", ["Sayings of the Century","Sword of Honour"]],
  ["$.store.book[0]['author','title']", {"author":"Nigel Rees","title":"Sayings of the Century"}],
  ["$.store.book[99]", undefined],
  ["$.store.nothing", undefined],
  ["$.store.book[*].nothing", []],
  ["$['store']['bicycle']['color']", "red"],
  ];
  for (const [path, expected] of rows) {
    test(path, () => assert.deepEqual(evaluateJsonPath(store, path), expected));
  }
});

describe('evaluateJsonPath: rules', () => {
  test('a definite path gives the value, null included, or undefined when nothing is there', () => {
    const doc = { a: { b: null, c: [0, 1] } };
    assert.equal(evaluateJsonPath(doc, '$.a.b'), null);
    assert.equal(evaluateJsonPath(doc, '$.a.x'), undefined);
    assert.equal(evaluateJsonPath(doc, '$.a.c[1]'), 1);
    assert.equal(evaluateJsonPath(doc, '$.a.c[-1]'), 1);
    assert.equal(evaluateJsonPath(doc, '$.a.c[5]'), undefined);
    assert.equal(evaluateJsonPath(doc, '$.a.b.c'), undefined);
    assert.deepEqual(evaluateJsonPath(doc, '$'), doc);
  });

  test('an indefinite path always gives an array', () => {
    const doc = { a: [{ x: 1 }, { y: 2 }] };
    assert.deepEqual(evaluateJsonPath(doc, '$.a[*].x'), [1]);
    assert.deepEqual(evaluateJsonPath(doc, '$.a[*].z'), []);
    assert.deepEqual(evaluateJsonPath(doc, '$..x'), [1]);
    assert.deepEqual(evaluateJsonPath(doc, '$.a[0:1]'), [{ x: 1 }]);
  });

  test('a path without a leading $ is taken from the root, as Jayway does', () => {
    assert.equal(evaluateJsonPath({ id: 'x', data: { d: 1 } }, 'id'), 'x');
    assert.equal(evaluateJsonPath({ id: 'x', data: { d: 1 } }, 'data.d'), 1);
  });

  test('JavaScript properties are not JSON properties', () => {
    const doc = { items: [1, 2], s: 'abc' };
    assert.equal(evaluateJsonPath(doc, '$.items.length'), undefined);
    assert.equal(evaluateJsonPath(doc, '$.s.length'), undefined);
    assert.equal(evaluateJsonPath(doc, '$.constructor'), undefined);
    assert.equal(evaluateJsonPath(doc, '$.__proto__'), undefined);
    assert.equal(evaluateJsonPath(doc, '$.items.length()'), 2);
  });

  test('bracket notation for keys that are not identifiers', () => {
    const doc = { 'a b': { 'c.d': 1, "e'f": 2, '1': 3 } };
    assert.equal(evaluateJsonPath(doc, "$['a b']['c.d']"), 1);
    assert.equal(evaluateJsonPath(doc, `$["a b"]["e'f"]`), 2);
    assert.equal(evaluateJsonPath(doc, "$['a b']['e\\'f']"), 2);
    assert.equal(evaluateJsonPath(doc, "$['a b'].1"), 3);
  });

  test('filter operators', () => {
    const doc = {
      items: [
        { n: 'a', v: 1, tags: ['x', 'y'] },
        { n: 'b', v: 2, tags: [] },
        { n: 'c', v: '3', tags: ['x'] },
      ],
    };
    const names = (f: string): unknown => evaluateJsonPath(doc, `$.items[?(${f})].n`);
    assert.deepEqual(names('@.v == 1'), ['a']);
    assert.deepEqual(names('@.v != 1'), ['b', 'c']);
    assert.deepEqual(names('@.v >= 2'), ['b']);
    assert.deepEqual(names("@.n in ['a', 'c']"), ['a', 'c']);
    assert.deepEqual(names("@.n nin ['a', 'c']"), ['b']);
    assert.deepEqual(names('@.tags size 1'), ['c']);
    assert.deepEqual(names('@.tags empty true'), ['b']);
    assert.deepEqual(names('@.n =~ /[AB]/i'), ['a', 'b']);
    assert.deepEqual(names("@.v == 1 || @.n == 'c'"), ['a', 'c']);
    assert.deepEqual(names("(@.v == 1 || @.n == 'c') && @.tags size 1"), ['c']);
    assert.deepEqual(names('!@.missing'), ['a', 'b', 'c']);
    assert.deepEqual(names("@.tags contains 'y'"), ['a']);
    assert.deepEqual(names("@.tags anyof ['y', 'q']"), ['a']);
  });

  test('aggregate functions', () => {
    const doc = { nums: [1, 2, 3, 4] };
    assert.equal(evaluateJsonPath(doc, '$.nums.min()'), 1);
    assert.equal(evaluateJsonPath(doc, '$.nums.max()'), 4);
    assert.equal(evaluateJsonPath(doc, '$.nums.sum()'), 10);
    assert.equal(evaluateJsonPath(doc, '$.nums.avg()'), 2.5);
    assert.equal(evaluateJsonPath(doc, '$.nums.length()'), 4);
  });

  test('malformed paths throw JsonPathSyntaxError', () => {
    for (const p of ['', '$.', '$[', '$.a[?(@.b ==)]', '$.a[1:2:3]', '$.a.foo()', '$.a[(@.length-1)]', '$.a.length().b']) {
      assert.throws(() => evaluateJsonPath({ a: [1] }, p), JsonPathSyntaxError, p);
    }
  });
});
