import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readSource, parseSource } from '../../src/iac/source.js';
import { readTemplate } from '../../src/iac/template.js';
import { samTransform } from '../../src/iac/sam/transform.js';
import { Store } from '../../src/store/db.js';
import { ControlPlane } from '../../src/control/index.js';
import { loadFile } from '../../src/iac/load.js';
import { IacError } from '../../src/iac/diagnostics.js';

const fx = (p: string) => fileURLToPath(new URL(`../fixtures/iac/${p}`, import.meta.url));

test('SAM Cors string: OPTIONS with Allow-Origin and computed Allow-Methods only (samtranslator 1.110 swagger.py add_cors)', () => {
  const t = readTemplate(readSource(fx('sam-rest-auth/template.yaml')), { region: 'us-east-1' });
  samTransform(t);
  const body = t.resources['OrdersApi']!.Properties!['Body'] as { paths: Record<string, Record<string, unknown>> };
  // Recorded from samtranslator 1.110 transform() of this fixture: _options_method_response_for_cors.
  assert.deepEqual(body.paths['/orders']!['options'], {
    summary: 'CORS support',
    consumes: ['application/json'],
    produces: ['application/json'],
    'x-amazon-apigateway-integration': {
      type: 'mock',
      requestTemplates: { 'application/json': '{\n  "statusCode" : 200\n}\n' },
      responses: { default: { statusCode: '200', responseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'https://shop.example.com'", 'method.response.header.Access-Control-Allow-Methods': "'GET,OPTIONS,POST'" }, responseTemplates: { 'application/json': '{}\n' } } },
    },
    responses: { '200': { description: 'Default response for CORS method', headers: { 'Access-Control-Allow-Origin': { type: 'string' }, 'Access-Control-Allow-Methods': { type: 'string' } } } },
    security: [{ api_key: [] }],
  });
  // ANY expands to all seven methods in Allow-Methods (swagger.py _make_cors_allowed_methods_for_path_item).
  const implicit = readTemplate(readSource(fx('sam-implicit/template.yaml')), { region: 'us-east-1' });
  samTransform(implicit);
  assert.equal(Object.keys(implicit.resources).filter((k) => k.startsWith('ServerlessRestApi')).length, 3);
  assert.equal((implicit.resources['ServerlessHttpApiApiGatewayDefaultStage']!.Properties as Record<string, unknown>)['StageName'], '$default');
});

test('SAM refuses AllowCredentials with a wildcard origin, with its own message', () => {
  const doc = parseSource('t.yaml', "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: dev\n      Cors:\n        AllowOrigin: \"'*'\"\n        AllowCredentials: true\n");
  const t = readTemplate(doc, { region: 'us-east-1' });
  assert.throws(() => samTransform(t), (e: IacError) => e.problem.includes("'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\"") && e.location?.line === 7);
});

test('a Lambda authorizer\'s Identity lists that are not lists are reported where they are (REST and HTTP APIs)', () => {
  for (const [type, auth] of [
    ['AWS::Serverless::Api', 'StageName: dev\n      Auth:\n        Authorizers:\n          Req:\n            FunctionArn: arn:aws:lambda:us-east-1:000000000000:function:a\n            FunctionPayloadType: REQUEST\n            Identity:\n              QueryStrings: 1\n'],
    ['AWS::Serverless::HttpApi', 'Auth:\n        Authorizers:\n          Req:\n            FunctionArn: arn:aws:lambda:us-east-1:000000000000:function:a\n            Identity:\n              QueryStrings: 1\n'],
  ] as const) {
    const doc = parseSource('t.yaml', `Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: ${type}\n    Properties:\n      ${auth}`);
    const t = readTemplate(doc, { region: 'us-east-1' });
    assert.throws(() => samTransform(t), (e: IacError) => e instanceof IacError && e.problem === 'authorizer Req: Identity.QueryStrings must be a list of names' && e.location?.line !== undefined, type);
  }
});

test('Domain on Api and HttpApi: the resources samtranslator 1.110 makes of it', () => {
  const doc = parseSource(
    't.yaml',
    `Transform: AWS::Serverless-2016-10-31
Resources:
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Domain:
        DomainName: api.example.com
        CertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/abc
        EndpointConfiguration: REGIONAL
        BasePath: [/v1, /v2]
  MyHttp:
    Type: AWS::Serverless::HttpApi
    Properties:
      Domain:
        DomainName: http.example.com
        CertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/abc
        BasePath: [orders]
`,
  );
  const t = readTemplate(doc, { region: 'us-east-1' });
  samTransform(t);
  const cert = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
  const made = Object.fromEntries(Object.entries(t.resources).filter(([, r]) => /Domain|Mapping/.test(r.Type)));
  // Recorded from samtranslator 1.110 transform() of this template (AWS_DEFAULT_REGION=us-east-1).
  assert.deepEqual(made, {
    ApiGatewayDomainName1bc412bb08: { Type: 'AWS::ApiGateway::DomainName', Properties: { RegionalCertificateArn: cert, DomainName: 'api.example.com', EndpointConfiguration: { Types: ['REGIONAL'] } } },
    MyApiv1BasePathMapping: { Type: 'AWS::ApiGateway::BasePathMapping', Properties: { BasePath: 'v1', DomainName: { Ref: 'ApiGatewayDomainName1bc412bb08' }, RestApiId: { Ref: 'MyApi' }, Stage: { Ref: 'MyApiprodStage' } } },
    MyApiv2BasePathMapping: { Type: 'AWS::ApiGateway::BasePathMapping', Properties: { BasePath: 'v2', DomainName: { Ref: 'ApiGatewayDomainName1bc412bb08' }, RestApiId: { Ref: 'MyApi' }, Stage: { Ref: 'MyApiprodStage' } } },
    ApiGatewayDomainNameV23e685ce53a: {
      Type: 'AWS::ApiGatewayV2::DomainName',
      Properties: { DomainName: 'http.example.com', DomainNameConfigurations: [{ CertificateArn: cert, EndpointType: 'REGIONAL' }], Tags: { 'httpapi:createdBy': 'SAM' } },
    },
    MyHttpordersApiMapping: {
      Type: 'AWS::ApiGatewayV2::ApiMapping',
      Properties: { ApiId: { Ref: 'MyHttp' }, ApiMappingKey: 'orders', DomainName: { Ref: 'ApiGatewayDomainNameV23e685ce53a' }, Stage: { Ref: 'MyHttpApiGatewayDefaultStage' } },
    },
  });
});

test('bad input: clear messages with file:line:column, never a stack trace', async () => {
  const control = new ControlPlane(new Store({ ephemeral: true }), { codeRoot: '/tmp/pf-unit-code' });
  const expectError = async (file: string, re: RegExp, line?: number) => {
    await assert.rejects(loadFile(control, fx(file), { workDir: '/tmp/pf-unit-work' }), (e: unknown) => {
      assert.ok(e instanceof IacError, String(e));
      assert.match(e.message, re);
      if (line !== undefined) assert.equal(e.location?.line, line);
      assert.ok(e.fix);
      return true;
    });
  };
  await expectError('bad/syntax.yaml', /syntax\.yaml:6:1: YAML syntax error/, 6);
  await expectError('bad/circular.yaml', /circular dependency between resources: A -> B -> A/, 2);
  await expectError('bad/missing-handler.yaml', /handler file for Fn not found: Handler missing\.handler needs missing\.js/, 8);
  await expectError('bad/import-value.yaml', /Fn::ImportValue is not available locally/, 11);
  await expectError('bad/s3-code.yaml', /in S3 \(s3:\/\/my-bucket\/fn\.zip\), which is not available locally/, 8);
  await expectError('bad/unsupported-transform.yaml', /MyCompany::Macro" is not supported locally/, 1);
  control.store.close();
});

test('intrinsics: Fn::Sub both forms, Fn::If on conditions, Fn::Select/Split/Join, AWS::NoValue, parameter overrides', async () => {
  const doc = parseSource('t.yaml', [
    'Parameters:',
    '  Env: {Type: String, Default: dev}',
    'Conditions:',
    '  Prod: !Equals [!Ref Env, prod]',
    '  Both: !And [!Condition Prod, !Not [!Equals [!Ref Env, dev]]]',
    'Resources:',
    '  Api:',
    '    Type: AWS::ApiGateway::RestApi',
    '    Properties:',
    '      Name: !Sub ["${A}-${Env}-${!Literal}", {A: !Join ["", [x, !Select [1, !Split [",", "a,b"]]]]}]',
    '      Description: !If [Both, prod, !Ref AWS::NoValue]',
  ].join('\n'));
  const control = new ControlPlane(new Store({ ephemeral: true }), { codeRoot: '/tmp/pf-unit-code' });
  const { deployTemplate } = await import('../../src/iac/cfn/deploy.js');
  for (const [env, name, description] of [['dev', 'xb-dev-${Literal}', undefined], ['prod', 'xb-prod-${Literal}', 'prod']] as const) {
    const t = readTemplate(doc, { region: 'us-east-1', parameterOverrides: { Env: env } });
    const out = await deployTemplate(control, t, { workDir: '/tmp/pf-unit-work' });
    const api = control.apis.getRestApi(out.state['Api']!.id);
    assert.equal(api.name, name);
    assert.equal(api.description, description);
  }
  assert.throws(() => readTemplate(doc, { region: 'us-east-1', parameterOverrides: { Nope: 'x' } }), /Nope, which the template does not declare/);
  control.store.close();
});
