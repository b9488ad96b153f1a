import { IacError } from '../diagnostics.js';
import { isObject, type CfnResource, type Template } from '../template.js';
import { applyGlobals } from './globals.js';
import { translateFunction, type ApiEvent } from './function.js';
import { translateRestApi, type SamApi } from './rest-api.js';
import { translateHttpApi } from './http-api.js';

const IMPLICIT_REST = 'ServerlessRestApi';
const IMPLICIT_HTTP = 'ServerlessHttpApi';

/**
 * The AWS::Serverless-2016-10-31 transform, for the resources preflight serves: Function, Api, HttpApi (and the
 * implicit APIs SAM creates for events without RestApiId/ApiId). Other AWS::Serverless types are reported and
 * skipped. The result is plain CloudFormation, still with its intrinsics, as samtranslator 1.110 produces it.
 */
export function samTransform(t: Template): void {
  applyGlobals(t, t.doc.value as Record<string, unknown>);
  const events: ApiEvent[] = [];
  const out: Record<string, CfnResource> = {};
  const apis: SamApi[] = [];
  const httpApis: SamApi[] = [];
  for (const [id, r] of Object.entries(t.resources)) {
    if (!isObject(r) || typeof r.Type !== 'string') throw new IacError(`resource ${id} needs a Type`, t.doc.locate(['Resources', id]));
    const at = ['Resources', id, 'Properties'];
    if (r.Type === 'AWS::Serverless::Function') Object.assign(out, translateFunction(t, id, r, events));
    else if (r.Type === 'AWS::Serverless::Api') apis.push({ id, properties: r.Properties ?? {}, at, implicit: false });
    else if (r.Type === 'AWS::Serverless::HttpApi') httpApis.push({ id, properties: r.Properties ?? {}, at, implicit: false });
    else if (r.Type.startsWith('AWS::Serverless::')) {
      t.diagnostics.push({ severity: 'warning', message: `${r.Type} (${id}) is not emulated by preflight; it is skipped`, location: t.doc.locate(['Resources', id, 'Type']), fix: 'the rest of the template is served; test this resource on AWS' });
    } else out[id] = r;
  }
  const targetOf = (ev: ApiEvent, prop: 'RestApiId' | 'ApiId', implicit: string, known: SamApi[]): string => {
    const ref = ev.properties[prop];
    if (ref === undefined) return implicit;
    const id = isObject(ref) && typeof ref['Ref'] === 'string' ? ref['Ref'] : typeof ref === 'string' ? ref : undefined;
    if (!id || !known.some((a) => a.id === id)) {
      throw new IacError(`event ${ev.eventId}: ${prop} must be a Ref to an ${prop === 'RestApiId' ? 'AWS::Serverless::Api' : 'AWS::Serverless::HttpApi'} in this template`, t.doc.locate([...ev.at, 'Properties', prop]), `e.g. ${prop}: !Ref ${known[0]?.id ?? 'MyApi'}`);
    }
    return id;
  };
  const restEvents = events.filter((e) => e.kind === 'Api');
  const httpEvents = events.filter((e) => e.kind === 'HttpApi');
  if (restEvents.some((e) => e.properties['RestApiId'] === undefined)) apis.push({ id: IMPLICIT_REST, properties: implicitProps(t, 'Api'), at: ['Resources'], implicit: true });
  if (httpEvents.some((e) => e.properties['ApiId'] === undefined)) httpApis.push({ id: IMPLICIT_HTTP, properties: implicitProps(t, 'HttpApi'), at: ['Resources'], implicit: true });
  for (const api of apis) {
    const mine = restEvents.filter((e) => targetOf(e, 'RestApiId', IMPLICIT_REST, apis) === api.id);
    mergeInto(out, translateRestApi(t, api, mine));
  }
  for (const api of httpApis) {
    const mine = httpEvents.filter((e) => targetOf(e, 'ApiId', IMPLICIT_HTTP, httpApis) === api.id);
    Object.assign(out, translateHttpApi(t, api, mine));
  }
  for (const api of [...apis, ...httpApis]) if (api.implicit) t.origins.set(api.id, ['Resources']);
  t.resources = out;
}

/** The implicit APIs take Globals too (SAM applies Globals.Api to ServerlessRestApi). */
function implicitProps(t: Template, section: 'Api' | 'HttpApi'): Record<string, unknown> {
  const g = (t.doc.value as Record<string, unknown>)['Globals'];
  const props = isObject(g) && isObject(g[section]) ? structuredClone(g[section]) : {};
  delete props['StageName'];
  return props;
}

/** A SHARED usage plan collects every API's stage (api_generator.py SharedApiUsagePlan). */
function mergeInto(out: Record<string, CfnResource>, add: Record<string, CfnResource>): void {
  for (const [id, r] of Object.entries(add)) {
    const prior = out[id];
    if (prior && (id === 'ServerlessUsagePlan' || id === 'ServerlessApiKey')) {
      const key = id === 'ServerlessUsagePlan' ? 'ApiStages' : 'StageKeys';
      (prior.Properties![key] as unknown[]).push(...(r.Properties![key] as unknown[]));
    } else out[id] = r;
  }
}
