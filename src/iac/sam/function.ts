import { IacError } from '../diagnostics.js';
import { isObject, type CfnResource, type Template } from '../template.js';
import type { JsonPath } from '../source.js';

/** SAM's managed policies that live under the service-role/ path (samtranslator policy_templates / IAM). */
const SERVICE_ROLE_POLICIES = new Set(['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole', 'AWSLambdaRole', 'AWSLambdaDynamoDBExecutionRole', 'AWSLambdaKinesisExecutionRole', 'AWSLambdaSQSQueueExecutionRole']);
export const BASIC_EXECUTION_ROLE = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

const PASSED_THROUGH = ['Handler', 'Runtime', 'Description', 'MemorySize', 'Timeout', 'Environment', 'FunctionName', 'Architectures', 'Layers', 'PackageType', 'ImageUri', 'EphemeralStorage', 'LoggingConfig', 'TracingConfig', 'ReservedConcurrentExecutions', 'VpcConfig', 'KmsKeyArn'];

/** A function event SAM turns into an API route. */
export interface ApiEvent {
  functionId: string;
  eventId: string;
  kind: 'Api' | 'HttpApi';
  properties: Record<string, unknown>;
  at: JsonPath;
}

/**
 * AWS::Serverless::Function → AWS::Lambda::Function plus, without a Role, the generated `{Id}Role`
 * (samtranslator 1.110 model/sam_resources.py SamFunction.to_cloudformation, _construct_role): basic execution
 * role, managed policies by name or ARN, inline statements as `{Id}RolePolicy{n}`.
 */
export function translateFunction(t: Template, id: string, r: CfnResource, events: ApiEvent[]): Record<string, CfnResource> {
  const p = r.Properties ?? {};
  const at: JsonPath = ['Resources', id, 'Properties'];
  const fn: Record<string, unknown> = {};
  for (const k of PASSED_THROUGH) if (p[k] !== undefined) fn[k] = p[k];
  if (p['InlineCode'] !== undefined) {
    if (p['CodeUri'] !== undefined) throw new IacError(`${id} has both CodeUri and InlineCode`, t.doc.locate([...at, 'InlineCode']), 'keep one of them');
    fn['Code'] = { ZipFile: p['InlineCode'] };
  } else if (p['CodeUri'] !== undefined) {
    const uri = p['CodeUri'];
    if (isObject(uri) && 'Bucket' in uri) fn['Code'] = { S3Bucket: uri['Bucket'], S3Key: uri['Key'] };
    else if (typeof uri === 'string' && uri.startsWith('s3://')) {
      const [bucket, ...key] = uri.slice(5).split('/');
      fn['Code'] = { S3Bucket: bucket, S3Key: key.join('/') };
    } else fn['Code'] = { 'Preflight::LocalPath': uri };
  } else if (p['PackageType'] !== 'Image') {
    throw new IacError(`function ${id} has no code: set CodeUri (a directory or .zip) or InlineCode`, t.doc.locate(['Resources', id]), 'add CodeUri: src/ (the directory with the handler file)');
  }
  const out: Record<string, CfnResource> = {};
  if (p['Role'] !== undefined) fn['Role'] = p['Role'];
  else {
    const roleId = `${id}Role`;
    const managed = [BASIC_EXECUTION_ROLE];
    const inline: Record<string, unknown>[] = [];
    const policies = p['Policies'] === undefined ? [] : Array.isArray(p['Policies']) ? p['Policies'] : [p['Policies']];
    policies.forEach((policy, i) => {
      if (typeof policy === 'string') {
        const arn = policy.startsWith('arn:') ? policy : `arn:aws:iam::aws:policy/${SERVICE_ROLE_POLICIES.has(policy) ? 'service-role/' : ''}${policy}`;
        if (!managed.includes(arn)) managed.push(arn);
      } else if (isObject(policy) && 'Statement' in policy) {
        inline.push({ PolicyName: `${roleId}Policy${i}`, PolicyDocument: policy });
      } else if (isObject(policy)) {
        // A SAM policy template ({DynamoDBCrudPolicy: {TableName: ...}}): kept by name; its expansion grants scoped actions.
        inline.push({ PolicyName: `${roleId}Policy${i}`, PolicyDocument: { 'SAM::PolicyTemplate': policy } });
      } else managed.push(policy as string);
    });
    out[roleId] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Action: ['sts:AssumeRole'], Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] } }] },
        ManagedPolicyArns: managed,
        ...(inline.length ? { Policies: inline } : {}),
        Tags: [{ Key: 'lambda:createdBy', Value: 'SAM' }],
      },
    };
    t.origins.set(roleId, ['Resources', id, 'Properties', ...(p['Policies'] !== undefined ? ['Policies'] : [])]);
    fn['Role'] = { 'Fn::GetAtt': [roleId, 'Arn'] };
  }
  fn['Tags'] = [...(isObject(p['Tags']) ? Object.entries(p['Tags']).map(([Key, Value]) => ({ Key, Value })) : []), { Key: 'lambda:createdBy', Value: 'SAM' }];
  const lambda: CfnResource = { Type: 'AWS::Lambda::Function', Properties: fn };
  if (r.Condition) lambda.Condition = r.Condition;
  if (r.DependsOn) lambda.DependsOn = r.DependsOn;
  out[id] = lambda;

  const evs = p['Events'];
  if (evs !== undefined && !isObject(evs)) throw new IacError('Events must be a map of event names to events', t.doc.locate([...at, 'Events']));
  for (const [eventId, ev] of Object.entries(evs ?? {})) {
    const eat: JsonPath = [...at, 'Events', eventId];
    if (!isObject(ev) || typeof ev['Type'] !== 'string') throw new IacError(`event ${eventId} needs a Type`, t.doc.locate(eat));
    if (ev['Type'] === 'Api' || ev['Type'] === 'HttpApi') {
      events.push({ functionId: id, eventId, kind: ev['Type'], properties: isObject(ev['Properties']) ? ev['Properties'] : {}, at: eat });
    } else {
      t.diagnostics.push({ severity: 'warning', message: `event ${eventId} of type ${ev['Type']} is not emulated locally; only Api and HttpApi events are served`, location: t.doc.locate([...eat, 'Type']), fix: 'invoke the function directly (aws lambda invoke) to test this trigger' });
    }
  }
  return out;
}
