// The interpreter: walks a Program against one request's variables with Velocity 1.7's runtime rules, plus API
// Gateway's treatment of null references (they are "", see Renderer.ref) and its #foreach quota.

import type { Expr, Macro, Node, Pos, Program, Ref } from './ir.js';
import { NONE, callMethod, getIndex, getProperty, iterationItems, setIndex, type Lookup } from './methods.js';
import {
  HostObject,
  JDouble,
  JavaException,
  VList,
  VMap,
  compareNumbers,
  intValue,
  isNumeric,
  renderText,
  toJsNumber,
  truthy,
  vtlEquals,
  type Value,
} from './values.js';

/** API Gateway quota: "Number of iterations in a #foreach ... #end loop in mapping templates: 1000" (API Gateway
 *  quotas page). Velocity enforces such a cap (directive.foreach.maxloops) by ending the loop quietly.
 *  UNCERTAIN: that AWS stops the loop rather than failing the request. */
export const MAX_FOREACH_ITERATIONS = 1000;
/** Velocity 1.7 default velocimacro.max.depth. */
const MAX_MACRO_DEPTH = 20;
/** API Gateway's payload limit is 10 MB; a template producing more is a runaway. */
const MAX_OUTPUT = 10 * 1024 * 1024;
/** Protects the emulator from templates that would run for minutes (nested loops, macro fan-out). */
const MAX_STEPS = 5_000_000;

/** A failure with the template position it happened at. */
export class RenderFailure extends Error {
  constructor(
    message: string,
    readonly at: Pos | undefined,
  ) {
    super(message);
  }
}

class BreakSignal {
  constructor(readonly target: ForeachScope | null) {}
}

export class ForeachScope extends HostObject {
  readonly javaClass = 'org.apache.velocity.runtime.directive.ForeachScope';
  index = 0;
  constructor(
    readonly parent: ForeachScope | null,
    readonly total: number,
  ) {
    super();
  }

  private get hasNext(): boolean {
    return this.index < this.total - 1;
  }

  override getProperty(name: string): Value | undefined {
    switch (name) {
      case 'index':
        return this.index;
      case 'count':
        return this.index + 1;
      case 'hasNext':
        return this.hasNext;
      case 'first':
        return this.index === 0;
      case 'last':
        return !this.hasNext;
      case 'parent':
        return this.parent;
      case 'topmost': {
        let s: ForeachScope = this;
        while (s.parent) s = s.parent;
        return s;
      }
    }
    return undefined;
  }

  override callMethod(name: string, args: readonly Value[]): Value | undefined {
    if (args.length !== 0) return undefined;
    const prop: Record<string, string> = {
      getIndex: 'index',
      getCount: 'count',
      hasNext: 'hasNext',
      getHasNext: 'hasNext',
      isFirst: 'first',
      getFirst: 'first',
      isLast: 'last',
      getLast: 'last',
      getParent: 'parent',
      getTopmost: 'topmost',
    };
    const p = prop[name];
    return p ? this.getProperty(p) : undefined;
  }

  toJavaString(): string {
    return `${this.javaClass}@${(this.total * 31 + this.index).toString(16)}`;
  }
}

/** A #define block: renders its body, with the variables as they are, each time it is printed. */
class DefineBlock extends HostObject {
  readonly javaClass = 'org.apache.velocity.runtime.directive.Block$Reference';
  constructor(
    private readonly renderer: Renderer,
    private readonly body: Node[],
    private readonly at: Pos,
  ) {
    super();
  }
  toJavaString(): string {
    return this.renderer.renderDefine(this.body, this.at);
  }
}

/** Supplies the variables API Gateway predefines ($input, $util, $context, $stageVariables) on first use. */
export interface RootProvider {
  root(name: string): Value | undefined;
}

function javaClassOf(v: Value): string {
  if (typeof v === 'string') return 'java.lang.String';
  if (typeof v === 'number') return 'java.lang.Integer';
  if (typeof v === 'bigint') return 'java.math.BigInteger';
  if (typeof v === 'boolean') return 'java.lang.Boolean';
  if (v instanceof JDouble) return 'java.lang.Double';
  if (v instanceof VMap) return v.order === 'linked' ? 'java.util.LinkedHashMap' : 'java.util.HashMap';
  if (v instanceof VList) return v.kind === 'json' ? 'net.minidev.json.JSONArray' : v.kind === 'array' ? '[Ljava.lang.String;' : 'java.util.ArrayList';
  if (v instanceof HostObject) return v.javaClass;
  return 'java.lang.Object';
}

export class Renderer {
  out = '';
  private readonly globals = new Map<string, Value>();
  private frames: Array<Map<string, Value>> = [];
  private foreach: ForeachScope | null = null;
  private steps = 0;
  private depth = 0;

  constructor(
    private readonly program: Program,
    private readonly roots: RootProvider,
  ) {}

  run(): void {
    try {
      this.nodes(this.program.nodes);
    } catch (e) {
      // #break outside any loop ends the template, keeping what was rendered (Velocity: root scope).
      if (!(e instanceof BreakSignal)) throw e;
    }
  }

  private tick(at: Pos | undefined): void {
    if (++this.steps > MAX_STEPS) throw new RenderFailure(`Template execution exceeded ${MAX_STEPS} steps`, at);
  }

  private emit(s: string, at: Pos | undefined): void {
    this.out += s;
    if (this.out.length > MAX_OUTPUT) throw new RenderFailure('Template output exceeds the 10 MB payload limit', at);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Variables

  lookup(name: string): Value {
    const frame = this.frames[this.frames.length - 1];
    if (frame?.has(name)) return frame.get(name) ?? null;
    const g = this.globals.get(name);
    if (g !== undefined) return g;
    if (this.globals.has(name)) return null;
    const v = this.roots.root(name);
    if (v === undefined) return null;
    this.globals.set(name, v);
    return v;
  }

  /** Where a variable is written: a macro's argument stays in the macro; anything else is global, as with
   *  Velocity 1.7's default velocimacro.context.localscope = false. */
  private scopeOf(name: string): Map<string, Value> {
    const frame = this.frames[this.frames.length - 1];
    return frame?.has(name) ? frame : this.globals;
  }

  private assign(name: string, value: Value): void {
    this.scopeOf(name).set(name, value);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Nodes

  private nodes(list: readonly Node[]): void {
    for (const n of list) this.node(n);
  }

  private node(n: Node): void {
    switch (n.k) {
      case 'text':
        this.emit(n.s, undefined);
        return;
      case 'ref': {
        this.tick(n.ref);
        const v = this.ref(n.ref);
        if (v !== null) this.emit(v instanceof HostObject ? this.hostText(v, n.ref) : renderText(v), n.ref);
        return;
      }
      case 'set':
        this.tick(n);
        this.set(n.target, this.expr(n.value, n));
        return;
      case 'if':
        this.tick(n);
        for (const b of n.branches) {
          if (b.cond === null || this.cond(b.cond, n)) {
            this.nodes(b.body);
            return;
          }
        }
        return;
      case 'foreach':
        this.loop(n.name, this.expr(n.iter, n), n.body, n);
        return;
      case 'break':
        throw new BreakSignal(this.foreach);
      case 'define':
        this.assign(n.name, new DefineBlock(this, n.body, n));
        return;
      case 'call':
        this.tick(n);
        this.callMacro(n.name, n.args, n.text, n);
        return;
    }
  }

  private hostText(v: HostObject, at: Pos): string {
    try {
      return v.toJavaString();
    } catch (e) {
      throw this.wrap(e, at, 'toString', v);
    }
  }

  private loop(name: string, iterable: Value, body: readonly Node[], at: Pos): void {
    const items = iterationItems(iterable);
    if (!items || items.length === 0) return;
    // The loop variables are put back as they were afterwards (Velocity's Foreach restores them).
    const saved = ['foreach', 'velocityCount', 'velocityHasNext', name].map((k) => {
      const scope = this.scopeOf(k);
      return [scope, k, scope.has(k), scope.get(k)] as const;
    });
    const scope = new ForeachScope(this.foreach, items.length);
    const outer = this.foreach;
    this.foreach = scope;
    try {
      const n = Math.min(items.length, MAX_FOREACH_ITERATIONS);
      for (let i = 0; i < n; i++) {
        this.tick(at);
        scope.index = i;
        this.assign(name, items[i]!);
        this.globals.set('foreach', scope);
        // Velocity 1.7's older loop variables, still defined by default.
        this.globals.set('velocityCount', i + 1);
        this.globals.set('velocityHasNext', i < items.length - 1);
        try {
          this.nodes(body);
        } catch (e) {
          if (e instanceof BreakSignal && (e.target === scope || e.target === null)) break;
          throw e;
        }
      }
    } finally {
      this.foreach = outer;
      for (const [scope, k, had, v] of saved) {
        if (had) scope.set(k, v ?? null);
        else scope.delete(k);
      }
    }
  }

  private callMacro(name: string, args: readonly Expr[], text: string, at: Pos): void {
    const macro: Macro | undefined = this.program.macros.get(name);
    if (!macro) {
      // An unknown #name(...) is not a directive for Velocity: it prints as written.
      this.emit(text, at);
      return;
    }
    if (this.depth >= MAX_MACRO_DEPTH) throw new RenderFailure(`Max calling depth of ${MAX_MACRO_DEPTH} was exceeded in macro '${name}'`, at);
    const frame = new Map<string, Value>();
    macro.params.forEach((p, i) => frame.set(p, i < args.length ? this.expr(args[i]!, at) : null));
    this.frames.push(frame);
    this.depth++;
    const outerForeach = this.foreach;
    this.foreach = null;
    try {
      this.nodes(macro.body);
    } catch (e) {
      if (!(e instanceof BreakSignal) || e.target !== null) throw e;
    } finally {
      this.foreach = outerForeach;
      this.depth--;
      this.frames.pop();
    }
  }

  renderDefine(body: readonly Node[], at: Pos): string {
    if (this.depth >= MAX_MACRO_DEPTH) throw new RenderFailure(`#define block nested more than ${MAX_MACRO_DEPTH} deep`, at);
    const saved = this.out;
    this.out = '';
    this.depth++;
    try {
      try {
        this.nodes(body);
      } catch (e) {
        if (!(e instanceof BreakSignal)) throw e;
      }
      return this.out;
    } finally {
      this.depth--;
      this.out = saved;
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // References

  private wrap(e: unknown, at: Pos, method: string, target: Value): unknown {
    if (e instanceof JavaException) {
      const msg =
        e.javaClass === 'OverrideException'
          ? e.detail
          : `Invocation of method '${method}' in class ${javaClassOf(target)} threw exception ${e.javaClass}${e.detail ? `: ${e.detail}` : ''}`;
      return new RenderFailure(msg, at);
    }
    return e;
  }

  /**
   * A reference's value. On API Gateway a reference that comes out null — undefined variable, missing property,
   * a method returning null — is the empty string, and not only when printed: `$missing == ""` is true
   * (LocalStack AWS-validated snapshot test_apigateway_common.snapshot.json, test_input_path_template_formatting,
   * "empty-body"), `#if($foo.bar.stuff != '')` is false for an undefined $foo (test_apigateway_kinesis), and
   * `$util.urlEncode($input.body.testAccess)` renders empty (test_input_body_formatting). One rule reproduces all
   * three: Velocity's InvalidReferenceEventHandler answering "" (checked against Velocity 1.7 with such a handler).
   * UNCERTAIN: the mechanism itself; its visible consequence is that #if($missing) is true, as for any string.
   */
  ref(r: Ref): Value {
    const v = this.refRaw(r);
    return v === null ? '' : v;
  }

  private refRaw(r: Ref): Value {
    let v = this.lookup(r.root);
    for (const seg of r.path) {
      if (v === null) return null;
      let next: Lookup;
      try {
        switch (seg.k) {
          case 'prop':
            next = getProperty(v, seg.name);
            break;
          case 'index':
            next = getIndex(v, this.expr(seg.e, r));
            break;
          case 'call': {
            const args = seg.args.map((a) => this.expr(a, r));
            next = callMethod(v, seg.name, args);
            break;
          }
        }
      } catch (e) {
        throw this.wrap(e, r, seg.k === 'call' ? seg.name : seg.k === 'prop' ? seg.name : 'get', v);
      }
      v = next === NONE ? null : next;
    }
    return v;
  }

  private set(target: Ref, value: Value): void {
    if (target.path.length === 0) {
      this.assign(target.root, value);
      return;
    }
    const head: Ref = { ...target, path: target.path.slice(0, -1) };
    const obj = this.refRaw(head);
    const last = target.path[target.path.length - 1]!;
    try {
      if (last.k === 'prop') {
        if (obj instanceof VMap) obj.put(last.name, value);
      } else if (last.k === 'index') {
        setIndex(obj, this.expr(last.e, target), value);
      }
    } catch (e) {
      throw this.wrap(e, target, 'put', obj);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Expressions

  expr(e: Expr, at: Pos): Value {
    switch (e.k) {
      case 'lit':
        return e.v;
      case 'ref':
        return this.ref(e.ref);
      case 'str': {
        const saved = this.out;
        this.out = '';
        try {
          this.nodes(e.nodes);
          return this.out;
        } finally {
          this.out = saved;
        }
      }
      case 'list':
        return new VList('arraylist', e.items.map((x) => this.expr(x, at)));
      case 'map': {
        // Velocity 1.7's ASTMap builds a java.util.LinkedHashMap: literal order is kept.
        const m = new VMap('linked');
        for (const [k, x] of e.entries) m.put(k, this.expr(x, at));
        return m;
      }
      case 'range':
        return this.range(this.expr(e.from, at), this.expr(e.to, at), at);
      case 'not':
        return !this.cond(e.e, at);
      case 'bin':
        return this.binary(e.op, e.l, e.r, at);
    }
  }

  /**
   * An expression as a condition, as Velocity 1.7's Node.evaluate(): references are true unless null or false,
   * comparisons and logic give their result, and every other node (literals other than true, lists, maps,
   * arithmetic, "strings") is false — checked against Velocity 1.7: #if('') and #if(1 + 1) take the #else.
   */
  private cond(e: Expr, at: Pos): boolean {
    switch (e.k) {
      case 'lit':
        return e.v === true;
      case 'ref':
        return truthy(this.ref(e.ref));
      case 'not':
        return !this.cond(e.e, at);
      case 'bin':
        if (e.op === '+' || e.op === '-' || e.op === '*' || e.op === '/' || e.op === '%') {
          this.expr(e, at);
          return false;
        }
        return this.binary(e.op, e.l, e.r, at) === true;
      default:
        return false;
    }
  }

  private range(a: Value, b: Value, at: Pos): Value {
    if (!isNumeric(a) || !isNumeric(b)) return null;
    const from = Math.trunc(toJsNumber(a));
    const to = Math.trunc(toJsNumber(b));
    const size = Math.abs(to - from) + 1;
    if (!(size <= 1_000_000)) throw new RenderFailure(`Range [${from}..${to}] is too large`, at);
    const items: Value[] = new Array(size);
    const step = from <= to ? 1 : -1;
    for (let i = 0; i < size; i++) items[i] = from + i * step;
    this.steps += size >> 4;
    return new VList('arraylist', items);
  }

  private binary(op: string, le: Expr, re: Expr, at: Pos): Value {
    switch (op) {
      case '&&':
        return this.cond(le, at) && this.cond(re, at);
      case '||':
        return this.cond(le, at) || this.cond(re, at);
    }
    const l = this.expr(le, at);
    const r = this.expr(re, at);
    switch (op) {
      case '==':
        return vtlEquals(l, r);
      case '!=':
        return !vtlEquals(l, r);
      case '<':
      case '<=':
      case '>':
      case '>=': {
        // Velocity 1.7 only orders numbers; anything else is logged and false.
        if (!isNumeric(l) || !isNumeric(r)) return false;
        const c = compareNumbers(l, r);
        if (Number.isNaN(c)) return false;
        return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      }
      case '+':
        // Velocity 1.7's ASTAddNode concatenates as soon as one side is a String.
        if (typeof l === 'string' || typeof r === 'string') return renderText(l) + renderText(r);
        return arithmetic(op, l, r);
      case '-':
      case '*':
      case '/':
      case '%':
        return arithmetic(op, l, r);
    }
    return null;
  }
}

/** Velocity 1.7 MathUtils: Integer op Integer stays integral (widening on overflow), any Double makes a Double;
 *  division or modulus by zero, and non-numbers, give null. */
function arithmetic(op: string, l: Value, r: Value): Value {
  if (!isNumeric(l) || !isNumeric(r)) return null;
  if (l instanceof JDouble || r instanceof JDouble) {
    const a = toJsNumber(l);
    const b = toJsNumber(r);
    switch (op) {
      case '+':
        return new JDouble(a + b);
      case '-':
        return new JDouble(a - b);
      case '*':
        return new JDouble(a * b);
      case '/':
        return b === 0 ? null : new JDouble(a / b);
      case '%':
        return b === 0 ? null : new JDouble(a % b);
    }
    return null;
  }
  if (typeof l === 'number' && typeof r === 'number') {
    let v: number;
    switch (op) {
      case '+':
        v = l + r;
        break;
      case '-':
        v = l - r;
        break;
      case '*':
        v = l * r;
        break;
      case '/':
        if (r === 0) return null;
        v = Math.trunc(l / r);
        break;
      case '%':
        if (r === 0) return null;
        v = l % r;
        break;
      default:
        return null;
    }
    if (Number.isSafeInteger(v)) return intValue(v);
  }
  const a = BigInt(l as number | bigint);
  const b = BigInt(r as number | bigint);
  switch (op) {
    case '+':
      return intValue(a + b);
    case '-':
      return intValue(a - b);
    case '*':
      return intValue(a * b);
    case '/':
      return b === 0n ? null : intValue(a / b);
    case '%':
      return b === 0n ? null : intValue(a % b);
  }
  return null;
}
