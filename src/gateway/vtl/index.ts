// API Gateway REST mapping templates (Velocity Template Language) for the data plane: compile once at deploy time,
// render per request. Behaviour follows API Gateway as recorded on AWS; each AWS-specific rule cites its source
// where it is implemented. Reference:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html

import { InputObject, UtilObject, buildContext, buildStageVariables, overridesTouched, type BuiltContext, type OverrideState } from './aws-objects.js';
import { compileProgram } from './compile.js';
import { VtlRenderError, VtlSyntaxError } from './errors.js';
import type { Program } from './ir.js';
import { toPlain } from './json.js';
import { RenderFailure, Renderer, type RootProvider } from './render.js';
import { JDouble, VList, VMap, renderText, type Value } from './values.js';

export { VtlSyntaxError, VtlRenderError };
export { evaluateJsonPath, JsonPathSyntaxError } from './jsonpath.js';
export { escapeJavaScript, urlEncode, urlDecode, base64Encode, base64Decode } from './aws-objects.js';
export type { OverrideState } from './aws-objects.js';

export interface VtlInput {
  /** Raw request (or integration response) body text. */
  body: string;
  params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> };
}

export interface RenderInput {
  input: VtlInput;
  /** $context: nested objects (identity, authorizer, error, ...). Key order does not matter. */
  context: Record<string, unknown>;
  /** $stageVariables */
  stageVariables: Record<string, string>;
  /**
   * $context.requestOverride / $context.responseOverride as a previous template left them. API Gateway carries
   * them from the integration request template to the integration response template, custom keys included
   * (LocalStack AWS-validated snapshot test_apigateway_integrations.snapshot.json,
   * test_integration_mock_with_response_override_in_request_template). Pass the request render's `overrides`.
   */
  overrides?: OverrideState;
}

export interface RenderOutput {
  /** The rendered text; '' when `error` is set. */
  output: string;
  /**
   * #set($context.responseOverride.status = 400) and $context.responseOverride.header.Name, including values
   * carried in through RenderInput.overrides. API Gateway applies a status set in the request template even when
   * no response template runs (same snapshot, "[False]" case: status 444, empty body).
   */
  responseOverride: { status?: number; headers: Record<string, string> };
  /** $context.requestOverride.header/path/querystring.Name (request templates; AWS override documentation). */
  requestOverride: { headers: Record<string, string>; path: Record<string, string>; querystring: Record<string, string> };
  /** Both override maps as they stand after this render, to pass on as RenderInput.overrides. */
  overrides: OverrideState;
  /**
   * Set when the template failed at run time (a Java method threw, an override was set twice, a limit was hit).
   * API Gateway then answers 500 {"message": "Internal server error"}. Rendering never throws.
   */
  error?: VtlRenderError;
}

/** Opaque: parse once at deploy time, render many times. */
export interface CompiledTemplate {
  readonly source: string;
}

class Template implements CompiledTemplate {
  constructor(
    readonly source: string,
    readonly program: Program,
  ) {}
}

/** Parses a mapping template; throws VtlSyntaxError (what, line:column, hint) when Velocity would reject it. */
export function compileTemplate(source: string): CompiledTemplate {
  try {
    return new Template(source, compileProgram(source));
  } catch (e) {
    // The parsers recurse per nesting level; thousands of nested brackets exhaust the stack. A syntax error for the
    // author, never a RangeError escaping into the deployment or the data plane (found by test/unit/fuzz-vtl).
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new VtlSyntaxError('The template nests too deeply', 1, 1, 'flatten the nested brackets, #if blocks or expressions');
    }
    throw e;
  }
}

function emptyOverrides(): OverrideState {
  return { requestOverride: { path: {}, header: {}, querystring: {} }, responseOverride: { header: {} } };
}

/** Override values as API Gateway sends them: lists joined with commas (AWS override docs show
 *  `multivalueheader=foo,header1Valheader2Val`). UNCERTAIN for response headers and query strings. */
function flatten(v: Value | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(v instanceof VMap)) return out;
  for (const e of v.entries()) {
    if (e.value === null) continue;
    const text = e.value instanceof VList ? e.value.items.map(renderText).join(',') : renderText(e.value);
    Object.defineProperty(out, renderText(e.key), { value: text, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** UNCERTAIN: how AWS treats a non-integer status override; an integral number or numeric string is used here. */
function statusOf(v: Value | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof JDouble && Number.isFinite(v.v)) return Math.trunc(v.v);
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

function overridesOutput(ctx: BuiltContext): Pick<RenderOutput, 'responseOverride' | 'requestOverride' | 'overrides'> {
  const res = ctx.responseOverride;
  const req = ctx.requestOverride;
  const status = statusOf(res.get('status'));
  return {
    responseOverride: status === undefined ? { headers: flatten(res.get('header')) } : { status, headers: flatten(res.get('header')) },
    requestOverride: { headers: flatten(req.get('header')), path: flatten(req.get('path')), querystring: flatten(req.get('querystring')) },
    overrides: { requestOverride: toPlain(req) as Record<string, unknown>, responseOverride: toPlain(res) as Record<string, unknown> },
  };
}

/** One render's predefined variables, created on first use (most templates touch only some of them). */
class Session implements RootProvider {
  built: BuiltContext | undefined;
  constructor(private readonly input: RenderInput) {}

  context(): BuiltContext {
    return (this.built ??= buildContext(this.input.context ?? {}, this.input.overrides));
  }

  root(name: string): Value | undefined {
    switch (name) {
      case 'input':
        return new InputObject(this.input.input?.body ?? '', this.input.input?.params ?? { path: {}, querystring: {}, header: {} });
      case 'util':
        return new UtilObject();
      case 'context':
        return this.context().map;
      case 'stageVariables':
        return buildStageVariables(this.input.stageVariables ?? {});
    }
    return undefined;
  }
}


/** Renders a compiled template for one request. Run-time failures come back in `error`; it throws only when handed
 *  an object compileTemplate did not make. */
export function renderTemplate(t: CompiledTemplate, input: RenderInput): RenderOutput {
  if (!(t instanceof Template)) throw new TypeError('renderTemplate expects a template returned by compileTemplate');
  const session = new Session(input);
  const renderer = new Renderer(t.program, session);
  let error: VtlRenderError | undefined;
  try {
    renderer.run();
  } catch (e) {
    if (e instanceof RenderFailure) error = new VtlRenderError(e.message, e.at?.line ?? 0, e.at?.column ?? 0);
    else error = new VtlRenderError(`Template execution failed: ${e instanceof Error ? e.message : String(e)}`, 0, 0);
  }
  const built = session.built;
  const carried = (built && overridesTouched(built)) || input.overrides || input.context?.['requestOverride'] || input.context?.['responseOverride'];
  const ov = carried
    ? overridesOutput(session.context())
    : { responseOverride: { headers: {} }, requestOverride: { headers: {}, path: {}, querystring: {} }, overrides: emptyOverrides() };
  return error ? { output: '', ...ov, error } : { output: renderer.out, ...ov };
}
