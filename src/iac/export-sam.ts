import { stringify } from 'yaml';
import type { ControlPlane } from '../control/index.js';
import { IacError } from './diagnostics.js';
import { exportHttpApi } from './openapi/export-http.js';
import { exportRestApi } from './openapi/export-rest.js';

const FUNCTION_IN_URI = /arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)/;

function logicalIdFor(name: string, taken: Set<string>): string {
  let id = name.replace(/[^A-Za-z0-9]/g, '').replace(/^[0-9]+/, '') || 'Function';
  id = id.charAt(0).toUpperCase() + id.slice(1);
  if (!/Function$/.test(id)) id += 'Function';
  let n = id;
  for (let i = 2; taken.has(n); i++) n = `${id}${i}`;
  taken.add(n);
  return n;
}

/**
 * An API as a SAM template: AWS::Serverless::Api (or HttpApi) whose DefinitionBody is the GetExport document,
 * plus an AWS::Serverless::Function for every local function it integrates with, referenced by Fn::Sub so the
 * template deploys to AWS as it is (`sam deploy`) and loads back into preflight unchanged.
 */
export function exportSam(control: ControlPlane, apiId: string, stage?: string): string {
  const rest = control.apis.hasRestApi(apiId);
  if (!rest && !control.httpApis.hasApi(apiId)) throw new IacError(`no REST or HTTP API with id ${apiId}`, undefined, 'list them with `preflight apis` or `aws apigateway get-rest-apis`');
  const stages = rest ? control.deployments.getStages(apiId) : control.httpApis.getStages(apiId);
  const stageName = stage ?? stages.find((s) => s.stageName !== 'Stage')?.stageName ?? stages[0]?.stageName;
  const body = rest ? exportRestApi(control, apiId, 'swagger', stageName) : exportHttpApi(control, apiId, stageName);
  delete body['host'];
  delete body['basePath'];
  delete body['schemes'];
  delete body['servers'];
  const functions = new Map<string, string>();
  const taken = new Set(['Api']);
  const refFunctions = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(refFunctions);
    if (v === null || typeof v !== 'object') {
      if (typeof v !== 'string') return v;
      const m = FUNCTION_IN_URI.exec(v);
      if (!m || !control.functions.find(m[1]!)) return v;
      let id = functions.get(m[1]!);
      if (!id) functions.set(m[1]!, (id = logicalIdFor(m[1]!, taken)));
      const sub = v.replace(/arn:aws[a-z-]*:apigateway:[a-z0-9-]+:/, 'arn:aws:apigateway:${AWS::Region}:').replace(FUNCTION_IN_URI, `\${${id}.Arn}`);
      return sub.startsWith('${') && sub.endsWith('.Arn}') ? { 'Fn::GetAtt': [id, 'Arn'] } : { 'Fn::Sub': sub };
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, refFunctions(x)]));
  };
  const definition = refFunctions(body);
  const resources: Record<string, unknown> = {};
  const apiProps: Record<string, unknown> = { Name: rest ? control.apis.getRestApi(apiId).name : control.httpApis.getApi(apiId).name };
  if (rest) {
    apiProps['StageName'] = stageName ?? 'dev';
    const s = stageName ? control.deployments.findStage(apiId, stageName) : undefined;
    if (s?.variables) apiProps['Variables'] = s.variables;
  } else if (stageName && stageName !== '$default') {
    apiProps['StageName'] = stageName;
  }
  apiProps['DefinitionBody'] = definition;
  resources['Api'] = { Type: rest ? 'AWS::Serverless::Api' : 'AWS::Serverless::HttpApi', Properties: apiProps };
  for (const [name, id] of functions) {
    const f = control.functions.get(name);
    const c = f.configuration;
    resources[id] = {
      Type: 'AWS::Serverless::Function',
      Properties: {
        FunctionName: c.FunctionName,
        Handler: c.Handler,
        Runtime: c.Runtime,
        CodeUri: f.code.directory,
        Timeout: c.Timeout,
        MemorySize: c.MemorySize,
        ...(c.Description ? { Description: c.Description } : {}),
        ...(c.Environment?.Variables && Object.keys(c.Environment.Variables).length ? { Environment: { Variables: c.Environment.Variables } } : {}),
      },
    };
  }
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Transform: 'AWS::Serverless-2016-10-31',
    Description: `Exported by preflight from ${rest ? 'REST' : 'HTTP'} API ${apiId}${stageName ? ` (stage ${stageName})` : ''}`,
    Resources: resources,
  };
  return stringify(template, { lineWidth: 0, aliasDuplicateObjects: false });
}
