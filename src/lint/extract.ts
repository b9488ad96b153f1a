import { isAbsolute, resolve } from 'node:path';
import type { SourceLocation } from '../iac/diagnostics.js';
import { resolveValue, type IntrinsicScope } from '../iac/intrinsics.js';
import { fileKind, isHttpApiDefinition } from '../iac/load.js';
import { samTransform } from '../iac/sam/transform.js';
import type { JsonPath, SourceDoc } from '../iac/source.js';
import { conditionEvaluator, isObject, locateIn, readTemplate, type Template } from '../iac/template.js';
import { handlerFile } from './handler-scan.js';
import type { LintFunction, LintInput, LintRole } from './types.js';

const FN_IN_URI = /function:([A-Za-z0-9_-]+)/;

/** Resolves what can be resolved without deploying; references to resources become readable placeholders. */
function lenientScope(t: Template): IntrinsicScope {
  const scope: IntrinsicScope = {
    doc: { file: t.doc.file, value: t.doc.value, locate: (p) => locateIn(t, p) },
    parameters: t.parameters,
    mappings: t.mappings,
    condition: () => false,
    ref: (id) => id,
    getAtt: (id, attr) => (attr === 'Arn' && t.resources[id]?.Type === 'AWS::Lambda::Function' ? `arn:aws:lambda:${t.region}:000000000000:function:${id}` : attr === 'RootResourceId' ? `${id}.RootResourceId` : `${id}.${attr}`),
  };
  scope.condition = conditionEvaluator(t, () => scope);
  return scope;
}

function resolveLenient(t: Template, v: unknown, path: JsonPath, scope: IntrinsicScope): unknown {
  try {
    return resolveValue(v, path, scope);
  } catch {
    return v;
  }
}

/** What lint reads from a SAM/CloudFormation template or an OpenAPI file, without creating anything. */
export function extractFromDoc(doc: SourceDoc): LintInput {
  const input: LintInput = { restApis: [], httpApis: [], roles: [] };
  if (fileKind(doc) === 'openapi') {
    const def = doc.value as Record<string, unknown>;
    const api = { name: doc.file, definition: def, locate: (p: JsonPath) => doc.locate(p), stages: [] as string[], functions: [] };
    if (isHttpApiDefinition(def)) input.httpApis.push(api);
    else input.restApis.push(api);
    return input;
  }
  const root = doc.value as Record<string, unknown>;
  // Lint must read templates whose parameters have no Default: those get a placeholder value.
  const overrides: Record<string, string> = {};
  for (const [name, p] of Object.entries(isObject(root['Parameters']) ? root['Parameters'] : {})) {
    if (isObject(p) && p['Default'] === undefined) overrides[name] = isObject(p) && Array.isArray(p['AllowedValues']) ? String(p['AllowedValues'][0]) : 'value';
  }
  const t = readTemplate(doc, { region: 'us-east-1', parameterOverrides: overrides });
  if (t.isSam) samTransform(t);
  const scope = lenientScope(t);
  const res = t.resources;
  const props = (id: string) => resolveLenient(t, res[id]!.Properties ?? {}, ['Resources', id, 'Properties'], scope) as Record<string, unknown>;
  const loc = (p: JsonPath): SourceLocation => locateIn(t, p);

  const functions = new Map<string, LintFunction>();
  const fnByName = new Map<string, string>();
  for (const [id, r] of Object.entries(res)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const p = props(id);
    const code = isObject(p['Code']) ? p['Code'] : {};
    const local = code['Preflight::LocalPath'];
    let file: string | undefined;
    if (typeof local === 'string' && typeof p['Handler'] === 'string' && typeof p['Runtime'] === 'string') {
      const dir = isAbsolute(local) ? local : resolve(t.dir, local);
      file = handlerFile(dir, p['Handler'], p['Runtime']);
    }
    functions.set(id, { name: id, ...(file ? { file } : {}), location: loc(['Resources', id, 'Properties', 'Handler']) });
    fnByName.set(typeof p['FunctionName'] === 'string' ? p['FunctionName'] : id, id);
  }
  const fnsIn = (def: unknown): LintFunction[] => {
    const found = new Set<string>();
    for (const m of JSON.stringify(def).matchAll(new RegExp(FN_IN_URI, 'g'))) {
      const id = fnByName.get(m[1]!) ?? (functions.has(m[1]!) ? m[1]! : undefined);
      if (id) found.add(id);
    }
    return [...found].map((id) => functions.get(id)!);
  };
  const stagesOf = (apiId: string, stageType: string, depType: string, key: string): string[] => {
    const out: string[] = [];
    for (const [id, r] of Object.entries(res)) {
      if (r.Type !== stageType && r.Type !== depType) continue;
      const rp = r.Properties ?? {};
      const ref = rp[key];
      if (!isObject(ref) || ref['Ref'] !== apiId) continue;
      const name = props(id)['StageName'];
      if (typeof name === 'string') out.push(name);
    }
    return out;
  };

  for (const [id, r] of Object.entries(res)) {
    if (r.Type === 'AWS::ApiGateway::RestApi') {
      const p = props(id);
      const body = isObject(p['Body']) ? p['Body'] : rawRestDefinition(t, id, props);
      const bodyAt: JsonPath = ['Resources', id, 'Properties', 'Body'];
      const methodAt = (body as { __at?: Map<string, JsonPath> }).__at;
      input.restApis.push({
        name: id,
        definition: body,
        locate: (path) => {
          if (methodAt && path[0] === 'paths') {
            const at = methodAt.get(`${String(path[1])} ${String(path[2] ?? '')}`) ?? methodAt.get(`${String(path[1])} `);
            if (at) return loc(at);
          }
          if (methodAt && path[0] === 'x-amazon-apigateway-gateway-responses') return loc(methodAt.get(`gr ${String(path[1])}`) ?? ['Resources', id]);
          return loc(isObject(p['Body']) ? [...bodyAt, ...path] : ['Resources', id]);
        },
        stages: stagesOf(id, 'AWS::ApiGateway::Stage', 'AWS::ApiGateway::Deployment', 'RestApiId'),
        functions: fnsIn(body),
      });
    } else if (r.Type === 'AWS::ApiGatewayV2::Api') {
      const p = props(id);
      let def: Record<string, unknown>;
      if (isObject(p['Body'])) def = p['Body'];
      else {
        def = { openapi: '3.0.1', paths: {} };
        if (isObject(p['CorsConfiguration'])) def['x-amazon-apigateway-cors'] = Object.fromEntries(Object.entries(p['CorsConfiguration']).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]));
        const uris: string[] = [];
        for (const [rid, rr] of Object.entries(res)) {
          const rp = rr.Properties ?? {};
          if (!isObject(rp['ApiId']) || rp['ApiId']['Ref'] !== id) continue;
          const v = props(rid);
          if (rr.Type === 'AWS::ApiGatewayV2::Integration' && typeof v['IntegrationUri'] === 'string') uris.push(v['IntegrationUri']);
          if (rr.Type === 'AWS::ApiGatewayV2::Route' && v['AuthorizationType'] && v['AuthorizationType'] !== 'NONE') def['security'] = [{ [String(v['AuthorizerId'] ?? 'auth')]: [] }];
          if (rr.Type === 'AWS::ApiGatewayV2::Authorizer') {
            const comps = (def['components'] ??= { securitySchemes: {} }) as { securitySchemes: Record<string, unknown> };
            comps.securitySchemes[rid] = { 'x-amazon-apigateway-authorizer': { type: String(v['AuthorizerType'] ?? '').toLowerCase(), identitySource: v['IdentitySource'] } };
          }
        }
        def['x-preflight-integrations'] = uris;
      }
      const corsAt: JsonPath = isObject(p['Body']) ? ['Resources', id, 'Properties', 'Body'] : ['Resources', id, 'Properties', 'CorsConfiguration'];
      input.httpApis.push({
        name: id,
        definition: def,
        locate: (path) => loc(isObject(p['Body']) ? [...corsAt, ...path] : path[0] === 'x-amazon-apigateway-cors' ? [...corsAt, ...path.slice(1).map((s) => (typeof s === 'string' ? s.charAt(0).toUpperCase() + s.slice(1) : s))] : ['Resources', id]),
        stages: stagesOf(id, 'AWS::ApiGatewayV2::Stage', 'AWS::ApiGatewayV2::Deployment', 'ApiId'),
        functions: fnsIn(def),
      });
    } else if (r.Type === 'AWS::IAM::Role') {
      input.roles.push(roleOf(t, id, props(id), res));
    }
  }
  return input;
}

function roleOf(t: Template, id: string, p: Record<string, unknown>, res: Template['resources']): LintRole {
  const statements: LintRole['statements'] = [];
  const policies = Array.isArray(p['Policies']) ? p['Policies'] : [];
  policies.forEach((pol, i) => {
    const doc = isObject(pol) && isObject(pol['PolicyDocument']) ? pol['PolicyDocument'] : {};
    const st = doc['Statement'];
    const list = Array.isArray(st) ? st : isObject(st) ? [st] : [];
    list.forEach((s, j) => {
      if (isObject(s)) statements.push({ statement: s, location: locateIn(t, t.origins.has(id) ? ['Resources', id, 'Properties', 'Policies', i, 'Statement', j] : ['Resources', id, 'Properties', 'Policies', i, 'PolicyDocument', 'Statement', j]) });
    });
  });
  const usedBy = Object.entries(res).filter(([, r]) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties?.['Role'] ?? '').includes(`"${id}"`)).map(([fid]) => fid);
  return { name: id, managedPolicyArns: Array.isArray(p['ManagedPolicyArns']) ? p['ManagedPolicyArns'] : [], statements, location: locateIn(t, ['Resources', id]), usedBy };
}

/** Raw AWS::ApiGateway::Resource/Method/GatewayResponse resources as an OpenAPI-shaped definition for the rules. */
function rawRestDefinition(t: Template, apiId: string, props: (id: string) => Record<string, unknown>): Record<string, unknown> {
  const res = t.resources;
  const at = new Map<string, JsonPath>();
  const pathOf = (ref: unknown, depth = 0): string => {
    if (depth > 50) return '/';
    if (typeof ref === 'string' && ref.endsWith('.RootResourceId')) return '/';
    const id = typeof ref === 'string' ? ref : undefined;
    const r = id ? res[id] : undefined;
    if (!id || !r || r.Type !== 'AWS::ApiGateway::Resource') return '/';
    const p = props(id);
    const parent = pathOf(p['ParentId'], depth + 1);
    return `${parent === '/' ? '' : parent}/${String(p['PathPart'])}`;
  };
  const paths: Record<string, Record<string, unknown>> = {};
  const gr: Record<string, unknown> = {};
  const security: unknown[] = [];
  for (const [id, r] of Object.entries(res)) {
    const rp = r.Properties ?? {};
    if (!isObject(rp['RestApiId']) || rp['RestApiId']['Ref'] !== apiId) continue;
    const p = props(id);
    if (r.Type === 'AWS::ApiGateway::Method') {
      const path = pathOf(p['ResourceId']);
      const method = String(p['HttpMethod'] ?? '').toLowerCase();
      const integration = isObject(p['Integration']) ? p['Integration'] : {};
      const responses: Record<string, unknown> = {};
      for (const ir of Array.isArray(integration['IntegrationResponses']) ? integration['IntegrationResponses'] : []) {
        if (isObject(ir)) responses[String(ir['SelectionPattern'] ?? 'default') || 'default'] = { statusCode: ir['StatusCode'], responseParameters: ir['ResponseParameters'] ?? {} };
      }
      const op: Record<string, unknown> = { 'x-amazon-apigateway-integration': { type: String(integration['Type'] ?? '').toLowerCase(), uri: integration['Uri'], responses } };
      const auth = String(p['AuthorizationType'] ?? 'NONE');
      if (auth !== 'NONE' || p['ApiKeyRequired'] === true) {
        op['security'] = [{ [auth === 'NONE' ? 'api_key' : String(p['AuthorizerId'] ?? auth)]: [] }];
        security.push(auth);
      }
      (paths[path] ??= {})[method === 'any' ? 'x-amazon-apigateway-any-method' : method] = op;
      at.set(`${path} ${method === 'any' ? 'x-amazon-apigateway-any-method' : method}`, ['Resources', id]);
      if (!at.has(`${path} `)) at.set(`${path} `, ['Resources', id]);
    } else if (r.Type === 'AWS::ApiGateway::GatewayResponse') {
      gr[String(p['ResponseType'])] = { responseParameters: p['ResponseParameters'] ?? {} };
      at.set(`gr ${String(p['ResponseType'])}`, ['Resources', id]);
    } else if (r.Type === 'AWS::ApiGateway::Authorizer') {
      const defs = {} as Record<string, unknown>;
      defs[id] = { 'x-amazon-apigateway-authorizer': { type: String(p['Type'] ?? '').toLowerCase(), identitySource: p['IdentitySource'] } };
    }
  }
  const def: Record<string, unknown> = { swagger: '2.0', paths, 'x-amazon-apigateway-gateway-responses': gr };
  const authorizers: Record<string, unknown> = {};
  for (const [id, r] of Object.entries(res)) {
    if (r.Type !== 'AWS::ApiGateway::Authorizer') continue;
    const p = props(id);
    authorizers[id] = { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authorizer': { type: String(p['Type'] ?? '').toLowerCase(), identitySource: p['IdentitySource'] ?? 'method.request.header.Authorization' } };
  }
  if (Object.keys(authorizers).length) def['securityDefinitions'] = authorizers;
  Object.defineProperty(def, '__at', { value: at, enumerable: false });
  return def;
}
