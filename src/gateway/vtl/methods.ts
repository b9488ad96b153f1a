// Java methods and Velocity property lookup on the emulated classes (String, Integer/Double, Boolean, Map, List,
// Map.Entry). Velocity calls public methods by reflection, so a template can use what java.lang.String or
// java.util.Map offer; a method that does not exist (or gets arguments of the wrong type) makes the reference null.
// API Gateway's JDK version is not published: methods added after Java 8 (String.isBlank, strip, repeat...) are
// left out. UNCERTAIN: whether they work on AWS.

import { javaMatches, javaReplace, javaSplit } from './java-regex.js';
import {
  HostObject,
  JDouble,
  JavaException,
  VEntry,
  VList,
  VMap,
  compareNumbers,
  intValue,
  isNumeric,
  javaEquals,
  javaHash,
  javaStringHash,
  javaToString,
  toJsNumber,
  type Value,
} from './values.js';

/** Marks "no such method/property": Velocity turns that into a null reference, not an error. */
export const NONE: unique symbol = Symbol('none');
export type Lookup = Value | typeof NONE;

function isInt(v: Value | undefined): v is number {
  return typeof v === 'number';
}

function str(v: Value | undefined): v is string {
  return typeof v === 'string';
}

/** `$x.name` — Velocity 1.7 tries getName()/isName() and, for a Map, get("name"). */
export function getProperty(target: Value, name: string): Lookup {
  if (target === null) return null;
  if (target instanceof VMap) {
    if (target.has(name)) return target.get(name) ?? null;
    const v = target.virtual?.get(name);
    return v === undefined ? null : v;
  }
  if (target instanceof HostObject) {
    const v = target.getProperty(name);
    return v === undefined ? NONE : v;
  }
  if (target instanceof VEntry) {
    if (name === 'key') return target.key;
    if (name === 'value') return target.value;
    return NONE;
  }
  if (name === 'empty') {
    if (typeof target === 'string') return target.length === 0;
    if (target instanceof VList) return target.items.length === 0;
  }
  if (name === 'class') return NONE;
  if (target instanceof JDouble) {
    if (name === 'naN') return Number.isNaN(target.v);
    if (name === 'infinite') return !Number.isFinite(target.v) && !Number.isNaN(target.v);
  }
  return NONE;
}

/** `$x[i]` — Velocity 1.7 index notation calls get(i); negative list indexes count from the end. */
export function getIndex(target: Value, key: Value): Lookup {
  if (target === null) return null;
  if (target instanceof VMap) {
    const v = target.get(key);
    return v === undefined ? null : v;
  }
  if (target instanceof VList) {
    if (!isInt(key)) return NONE;
    const i = key < 0 ? target.items.length + key : key;
    if (i < 0 || i >= target.items.length) {
      throw new JavaException('java.lang.IndexOutOfBoundsException', `Index: ${key}, Size: ${target.items.length}`);
    }
    return target.items[i]!;
  }
  return NONE;
}

export function setIndex(target: Value, key: Value, value: Value): void {
  if (target instanceof VMap) target.put(key, value);
  else if (target instanceof VList && isInt(key)) {
    const i = key < 0 ? target.items.length + key : key;
    if (i < 0 || i >= target.items.length) {
      throw new JavaException('java.lang.IndexOutOfBoundsException', `Index: ${key}, Size: ${target.items.length}`);
    }
    target.items[i] = value;
  }
}

export function callMethod(target: Value, name: string, args: readonly Value[]): Lookup {
  if (target === null) return null;
  if (typeof target === 'string') return stringMethod(target, name, args);
  if (target instanceof VMap) return mapMethod(target, name, args);
  if (target instanceof VList) return listMethod(target, name, args);
  if (target instanceof HostObject) {
    const v = target.callMethod(name, args);
    return v === undefined ? NONE : v;
  }
  if (target instanceof VEntry) return entryMethod(target, name, args);
  if (typeof target === 'boolean') return booleanMethod(target, name, args);
  return numberMethod(target, name, args);
}

function common(target: Value, name: string, args: readonly Value[]): Lookup {
  if (name === 'toString' && args.length === 0) return javaToString(target);
  if (name === 'equals' && args.length === 1) return javaEquals(target, args[0]!);
  if (name === 'hashCode' && args.length === 0) return javaHash(target);
  return NONE;
}

// ---------------------------------------------------------------------------------------------------------------
// java.lang.String

function outOfRange(detail: string): never {
  throw new JavaException('java.lang.StringIndexOutOfBoundsException', detail);
}

/** String.trim(): strips code units <= U+0020 only (not Unicode spaces, unlike String.prototype.trim). */
function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) <= 0x20) b--;
  return s.slice(a, b);
}

function charArg(v: Value | undefined): string | undefined {
  if (str(v)) return v;
  if (isInt(v) && v >= 0 && v <= 0x10ffff) return String.fromCodePoint(v);
  return undefined;
}

function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function stringMethod(s: string, name: string, a: readonly Value[]): Lookup {
  const [x, y] = a;
  switch (name) {
    case 'length':
      return a.length === 0 ? s.length : NONE;
    case 'isEmpty':
      return a.length === 0 ? s.length === 0 : NONE;
    case 'charAt':
      if (a.length !== 1 || !isInt(x)) return NONE;
      if (x < 0 || x >= s.length) outOfRange(`String index out of range: ${x}`);
      return s[x]!;
    case 'substring': {
      if (a.length === 1 && isInt(x)) {
        if (x < 0 || x > s.length) outOfRange(`String index out of range: ${s.length - x}`);
        return s.slice(x);
      }
      if (a.length === 2 && isInt(x) && isInt(y)) {
        if (x < 0) outOfRange(`String index out of range: ${x}`);
        if (y > s.length) outOfRange(`String index out of range: ${y}`);
        if (y - x < 0) outOfRange(`String index out of range: ${y - x}`);
        return s.slice(x, y);
      }
      return NONE;
    }
    case 'indexOf':
    case 'lastIndexOf': {
      const needle = charArg(x);
      if (needle === undefined || a.length > 2 || (a.length === 2 && !isInt(y))) return NONE;
      if (name === 'indexOf') return a.length === 2 ? s.indexOf(needle, Math.max(0, y as number)) : s.indexOf(needle);
      return a.length === 2 ? ((y as number) < 0 ? -1 : s.lastIndexOf(needle, y as number)) : s.lastIndexOf(needle);
    }
    case 'contains':
      return a.length === 1 && str(x) ? s.includes(x) : NONE;
    case 'startsWith':
      if (a.length === 1 && str(x)) return s.startsWith(x);
      if (a.length === 2 && str(x) && isInt(y)) return y >= 0 && s.startsWith(x, y);
      return NONE;
    case 'endsWith':
      return a.length === 1 && str(x) ? s.endsWith(x) : NONE;
    case 'equalsIgnoreCase':
      return a.length === 1 ? str(x) && x.length === s.length && x.toUpperCase().toLowerCase() === s.toUpperCase().toLowerCase() : NONE;
    case 'compareTo':
      return a.length === 1 && str(x) ? compareStrings(s, x) : NONE;
    case 'compareToIgnoreCase':
      return a.length === 1 && str(x) ? compareStrings(s.toUpperCase().toLowerCase(), x.toUpperCase().toLowerCase()) : NONE;
    case 'toLowerCase':
      return a.length === 0 ? s.toLowerCase() : NONE;
    case 'toUpperCase':
      return a.length === 0 ? s.toUpperCase() : NONE;
    case 'trim':
      return a.length === 0 ? javaTrim(s) : NONE;
    case 'concat':
      return a.length === 1 && str(x) ? s + x : NONE;
    case 'replace': {
      const from = charArg(x);
      const to = charArg(y);
      if (a.length !== 2 || from === undefined || to === undefined) return NONE;
      if (isInt(x) !== isInt(y)) return NONE;
      return s.split(from).join(to);
    }
    case 'replaceAll':
    case 'replaceFirst':
      if (a.length !== 2 || !str(x) || !str(y)) return NONE;
      return javaReplace(s, x, y, name === 'replaceAll');
    case 'matches':
      return a.length === 1 && str(x) ? javaMatches(s, x) : NONE;
    case 'split':
      if (a.length === 1 && str(x)) return new VList('array', javaSplit(s, x));
      if (a.length === 2 && str(x) && isInt(y)) return new VList('array', javaSplit(s, x, y));
      return NONE;
    case 'codePointAt':
      if (a.length !== 1 || !isInt(x)) return NONE;
      if (x < 0 || x >= s.length) outOfRange(`String index out of range: ${x}`);
      return s.codePointAt(x)!;
    case 'intern':
    case 'toString':
      return a.length === 0 ? s : NONE;
    case 'equals':
      return a.length === 1 ? str(x) && x === s : NONE;
    case 'hashCode':
      return a.length === 0 ? javaStringHash(s) : NONE;
  }
  return NONE;
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers and booleans

function numberMethod(n: number | bigint | JDouble, name: string, a: readonly Value[]): Lookup {
  if (a.length === 0) {
    switch (name) {
      case 'intValue':
      case 'longValue':
      case 'shortValue':
      case 'byteValue': {
        if (n instanceof JDouble) {
          const t = Math.trunc(n.v);
          if (Number.isNaN(t)) return 0;
          return intValue(Math.max(-9007199254740991, Math.min(9007199254740991, t)));
        }
        return n;
      }
      case 'doubleValue':
        return new JDouble(toJsNumber(n));
      case 'floatValue':
        return new JDouble(Math.fround(toJsNumber(n)));
      case 'isNaN':
        return n instanceof JDouble ? Number.isNaN(n.v) : NONE;
      case 'isInfinite':
        return n instanceof JDouble ? !Number.isFinite(n.v) && !Number.isNaN(n.v) : NONE;
    }
  }
  if (name === 'compareTo' && a.length === 1 && isNumeric(a[0]!)) return Math.sign(compareNumbers(n, a[0] as number | bigint | JDouble));
  return common(n, name, a);
}

function booleanMethod(b: boolean, name: string, a: readonly Value[]): Lookup {
  if (name === 'booleanValue' && a.length === 0) return b;
  return common(b, name, a);
}

// ---------------------------------------------------------------------------------------------------------------
// java.util.Map / List / Map.Entry

function mapMethod(m: VMap, name: string, a: readonly Value[]): Lookup {
  const [x, y] = a;
  switch (name) {
    case 'get':
      // Virtual properties are getters on the JVM side, not entries: get() does not see them.
      return a.length === 1 ? (m.get(x!) ?? null) : NONE;
    case 'getOrDefault':
      if (a.length !== 2) return NONE;
      return m.has(x!) ? (m.get(x!) ?? null) : y!;
    case 'put':
      return a.length === 2 ? m.put(x!, y!) : NONE;
    case 'putIfAbsent':
      if (a.length !== 2) return NONE;
      if (m.has(x!) && m.get(x!) !== null) return m.get(x!) ?? null;
      m.put(x!, y!);
      return null;
    case 'putAll':
      if (a.length !== 1 || !(x instanceof VMap)) return NONE;
      for (const e of x.entries()) m.put(e.key, e.value);
      return null;
    case 'remove':
      return a.length === 1 ? m.remove(x!) : NONE;
    case 'containsKey':
      return a.length === 1 ? m.has(x!) : NONE;
    case 'containsValue':
      return a.length === 1 ? m.values().some((v) => javaEquals(v, x!)) : NONE;
    case 'keySet':
      return a.length === 0 ? new VList('arraylist', m.keys()) : NONE;
    case 'values':
      return a.length === 0 ? new VList('arraylist', m.values()) : NONE;
    case 'entrySet':
      return a.length === 0 ? new VList('arraylist', m.entries().map((e) => new VEntry(m, e.key, e.value))) : NONE;
    case 'size':
      return a.length === 0 ? m.size : NONE;
    case 'isEmpty':
      return a.length === 0 ? m.size === 0 : NONE;
    case 'clear':
      if (a.length !== 0) return NONE;
      m.clear();
      return null;
  }
  return common(m, name, a);
}

function indexArg(list: VList, v: Value | undefined, allowEnd = false): number {
  const i = v as number;
  if (i < 0 || i > list.items.length || (!allowEnd && i === list.items.length)) {
    throw new JavaException('java.lang.IndexOutOfBoundsException', `Index: ${i}, Size: ${list.items.length}`);
  }
  return i;
}

function readOnly(list: VList): void {
  // Velocity wraps Java arrays in a fixed-size list.
  if (list.kind === 'array') throw new JavaException('java.lang.UnsupportedOperationException', '');
}

function listMethod(l: VList, name: string, a: readonly Value[]): Lookup {
  const [x, y] = a;
  const items = l.items;
  switch (name) {
    case 'size':
      return a.length === 0 ? items.length : NONE;
    case 'isEmpty':
      return a.length === 0 ? items.length === 0 : NONE;
    case 'get':
      if (a.length !== 1 || !isInt(x)) return NONE;
      return items[indexArg(l, x)]!;
    case 'contains':
      return a.length === 1 ? items.some((v) => javaEquals(v, x!)) : NONE;
    case 'containsAll':
      return a.length === 1 && x instanceof VList ? x.items.every((w) => items.some((v) => javaEquals(v, w))) : NONE;
    case 'indexOf':
      return a.length === 1 ? items.findIndex((v) => javaEquals(v, x!)) : NONE;
    case 'lastIndexOf': {
      if (a.length !== 1) return NONE;
      for (let i = items.length - 1; i >= 0; i--) if (javaEquals(items[i]!, x!)) return i;
      return -1;
    }
    case 'add':
      readOnly(l);
      if (a.length === 1) {
        items.push(x!);
        return true;
      }
      if (a.length === 2 && isInt(x)) {
        items.splice(indexArg(l, x, true), 0, y!);
        return null;
      }
      return NONE;
    case 'addAll':
      readOnly(l);
      if (a.length === 1 && x instanceof VList) {
        items.push(...x.items);
        return x.items.length > 0;
      }
      return NONE;
    case 'set': {
      if (a.length !== 2 || !isInt(x)) return NONE;
      const i = indexArg(l, x);
      const prev = items[i]!;
      items[i] = y!;
      return prev;
    }
    case 'remove': {
      readOnly(l);
      if (a.length !== 1) return NONE;
      // Velocity picks remove(int) for an Integer argument, remove(Object) otherwise, as javac would.
      if (isInt(x)) return items.splice(indexArg(l, x), 1)[0]!;
      const i = items.findIndex((v) => javaEquals(v, x!));
      if (i === -1) return false;
      items.splice(i, 1);
      return true;
    }
    case 'clear':
      readOnly(l);
      if (a.length !== 0) return NONE;
      items.length = 0;
      return null;
    case 'subList': {
      if (a.length !== 2 || !isInt(x) || !isInt(y)) return NONE;
      if (x < 0 || y > items.length || x > y) throw new JavaException('java.lang.IndexOutOfBoundsException', `fromIndex: ${x}, toIndex: ${y}`);
      return new VList(l.kind === 'json' ? 'json' : 'arraylist', items.slice(x, y));
    }
  }
  return common(l, name, a);
}

function entryMethod(e: VEntry, name: string, a: readonly Value[]): Lookup {
  if (a.length === 0 && name === 'getKey') return e.key;
  if (a.length === 0 && name === 'getValue') return e.value;
  if (a.length === 1 && name === 'setValue') {
    const prev = e.value;
    e.value = a[0]!;
    e.map.put(e.key, e.value);
    return prev;
  }
  return common(e, name, a);
}

/** The items #foreach walks: lists and arrays as they are, maps by their values (Velocity's map iterator). */
export function iterationItems(v: Value): Value[] | undefined {
  if (v instanceof VList) return v.items.slice();
  if (v instanceof VMap) return v.values();
  return undefined;
}

