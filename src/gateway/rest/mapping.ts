import type { MappingSource } from '../../control/mapping-expressions.js';
import { evaluateJsonPath, renderTemplate, type CompiledTemplate, type OverrideState, type RenderOutput } from '../vtl/index.js';
import type { HeaderList } from '../types.js';
import type { RestRequestContext } from './context.js';

export interface MappingInputs {
  ctx: RestRequestContext;
  backendHeaders?: HeaderList;
  backendBody?: string;
  /** $context additions (error.*, authorizer.*) for gateway responses. */
  contextExtra?: Record<string, unknown>;
}

/** Evaluates the right-hand side of a parameter mapping; undefined means "skip this header", as AWS does. */
export function resolveSource(source: MappingSource, inputs: MappingInputs): string | undefined {
  const { ctx } = inputs;
  switch (source.kind) {
    case 'static':
      return source.value;
    case 'stageVariables':
      return ctx.stage.variables[source.name];
    case 'context': {
      const v = lookupPath(ctx.vtlContext(inputs.contextExtra), source.name);
      return v === undefined || v === null ? undefined : String(v);
    }
    case 'method.request': {
      const name = source.name;
      switch (source.location) {
        case 'path':
          return ctx.match?.pathParams[name];
        case 'querystring': {
          let last: string | undefined;
          for (const [k, v] of ctx.query) if (k === name) last = v;
          return last;
        }
        case 'multivaluequerystring': {
          const all = ctx.query.filter(([k]) => k === name).map(([, v]) => v);
          return all.length ? all.join(',') : undefined;
        }
        case 'header': {
          const list = ctx.headerMap.get(name.toLowerCase());
          return list?.[list.length - 1];
        }
        case 'multivalueheader':
          return ctx.headerMap.get(name.toLowerCase())?.join(',');
      }
      return undefined;
    }
    case 'method.request.body':
      return fromBody(ctx.req.body.toString('utf8'), source.jsonPath);
    case 'integration.response.header': {
      const lower = source.name.toLowerCase();
      const values = (inputs.backendHeaders ?? []).filter(([k]) => k.toLowerCase() === lower).map(([, v]) => v);
      if (values.length === 0) return undefined;
      return source.multi ? values.join(',') : values[values.length - 1];
    }
    case 'integration.response.body':
      return fromBody(inputs.backendBody ?? '', source.jsonPath);
  }
}

function fromBody(body: string, jsonPath: string | undefined): string | undefined {
  if (!jsonPath) return body;
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return undefined;
  }
  const v = evaluateJsonPath(doc, jsonPath);
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function lookupPath(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const k of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** The MIME type of a Content-Type/Accept value, lower-cased, without parameters. */
export function mimeOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const semi = value.indexOf(';');
  return (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase() || undefined;
}

/**
 * Picks the response template as API Gateway does: the one for the request's Accept type, else the first one
 * defined (request-response-data-mappings, "Select a VTL mapping template").
 */
export function pickResponseTemplate(
  templates: Map<string, CompiledTemplate | null>,
  accept: string | undefined,
): { contentType: string; template: CompiledTemplate | null } | undefined {
  if (templates.size === 0) return undefined;
  const wanted = accept
    ?.split(',')
    .map((a) => mimeOf(a))
    .filter((a): a is string => !!a && a !== '*/*') ?? [];
  for (const w of wanted.length ? wanted : ['application/json']) {
    if (templates.has(w)) return { contentType: w, template: templates.get(w)! };
  }
  const [first] = templates.entries();
  return { contentType: first![0], template: first![1] };
}

/**
 * Renders a mapping template for this request. `overrides` carries $context.requestOverride/responseOverride from
 * the integration request template into the response template, as API Gateway does.
 */
export function render(
  template: CompiledTemplate,
  ctx: RestRequestContext,
  body: string,
  contextExtra?: Record<string, unknown>,
  overrides?: OverrideState,
): RenderOutput {
  // A template with no reference and no directive renders as itself (e.g. Enable CORS's {"statusCode": 200}):
  // skip building $input/$context for it, the preflight path's main cost.
  if (isStatic(template)) return staticOutput(template.source, overrides);
  return renderTemplate(template, {
    input: { body, params: ctx.params() },
    context: ctx.vtlContext(contextExtra),
    stageVariables: ctx.stage.variables,
    ...(overrides ? { overrides } : {}),
  });
}

const staticTemplates = new WeakMap<CompiledTemplate, boolean>();

function isStatic(t: CompiledTemplate): boolean {
  let v = staticTemplates.get(t);
  if (v === undefined) {
    v = !/[$#\\]/.test(t.source);
    staticTemplates.set(t, v);
  }
  return v;
}

function staticOutput(source: string, overrides: OverrideState | undefined): RenderOutput {
  const state = overrides ?? { requestOverride: {}, responseOverride: {} };
  const response = state.responseOverride as { status?: unknown; header?: Record<string, unknown> };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(response.header ?? {})) headers[k] = String(v);
  const status = typeof response.status === 'number' ? response.status : typeof response.status === 'string' && /^\d+$/.test(response.status) ? Number(response.status) : undefined;
  return {
    output: source,
    responseOverride: status === undefined ? { headers } : { status, headers },
    requestOverride: { headers: {}, path: {}, querystring: {} },
    overrides: state,
  };
}
