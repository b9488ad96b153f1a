// Fuzzing the custom domain operations with the inputs a script or a hand-written template gets wrong: any JSON for
// each operation's body and patch, names and base paths from a small alphabet (so they collide and repeat), then a
// request routed through whatever was made. Every call either succeeds or throws an AwsError (what the wire turns into
// AWS's error JSON); routing never throws. Seeded; bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Store } from '../../src/store/db.js';
import { ControlPlane } from '../../src/control/index.js';
import { isAwsError } from '../../src/control/errors.js';
import { DomainNameService } from '../../src/control/domain-names.js';

const SEED = 20261125;

const word = fc.constantFrom('api.a.localhost', 'API.A.LOCALHOST', 'b.example.test', 'localhost', '', 'v1', 'v1/x', '(none)', '/v1', 'v1/', 'a//b', 'dev', 'nope', '$default', 'x y', 'é');
const anyValue = fc.oneof(word, fc.jsonValue({ maxDepth: 2 }));
const body = fc.dictionary(
  fc.constantFrom('domainName', 'certificateArn', 'regionalCertificateArn', 'certificateName', 'certificateBody', 'endpointConfiguration', 'securityPolicy', 'tags', 'basePath', 'restApiId', 'stage', 'apiId', 'apiMappingKey', 'domainNameConfigurations'),
  anyValue,
  { maxKeys: 5 },
);
const patch = fc.array(fc.record({ op: fc.constantFrom('replace', 'add', 'remove'), path: fc.constantFrom('/basePath', '/restapiId', '/stage', '/securityPolicy', '/certificateArn', '/regionalCertificateArn', '/nope'), value: fc.option(word, { nil: undefined }) }), { maxLength: 3 });

type Step = { op: string; name: string; input: Record<string, unknown> | unknown[] };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constantFrom('createV1', 'createV2', 'createBasePath', 'createApiMapping'), name: word, input: body }),
  fc.record({ op: fc.constantFrom('updateDomain', 'updateBasePath'), name: word, input: patch }),
  fc.record({ op: fc.constantFrom('deleteDomain', 'deleteBasePath', 'get', 'getV2'), name: word, input: fc.constant({}) }),
);

test('custom domain operations: any input succeeds or is an AWS error; routing what was made never throws', () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
      const control = new ControlPlane(new Store({ ephemeral: true }), { codeRoot: '/tmp/preflight-fuzz-domains' });
      const api = control.apis.createRestApi({ name: 'fuzz' });
      control.apis.putMethod(api.id, api.rootResourceId, 'GET', { authorizationType: 'NONE' });
      control.apis.putIntegration(api.id, api.rootResourceId, 'GET', { type: 'MOCK' });
      control.deployments.createDeployment(api.id, { stageName: 'dev' });
      const d = control.domains;
      for (const s of steps) {
        const input = s.op.startsWith('create') ? { restApiId: api.id, apiId: api.id, ...(s.input as Record<string, unknown>) } : s.input;
        try {
          if (s.op === 'createV1') d.createDomainName(input);
          else if (s.op === 'createV2') d.createDomainNameV2(input);
          else if (s.op === 'createBasePath') d.createBasePathMapping(s.name, input);
          else if (s.op === 'createApiMapping') d.createApiMapping(s.name, input);
          else if (s.op === 'updateDomain') d.updateDomainName(s.name, input as never);
          else if (s.op === 'updateBasePath') d.updateBasePathMapping(s.name, 'v1', input as never);
          else if (s.op === 'deleteDomain') d.deleteDomainName(s.name);
          else if (s.op === 'deleteBasePath') d.deleteBasePathMapping(s.name, '(none)');
          else if (s.op === 'get') DomainNameService.v1View(d.getDomainName(s.name));
          else DomainNameService.v2View(d.getDomainNameV2(s.name));
        } catch (e) {
          assert.ok(isAwsError(e), `${s.op}(${JSON.stringify(s.name)}, ${JSON.stringify(input)}) threw ${String(e)}`);
        }
      }
      // What was stored reads back, and every domain's mappings are in longest-first order.
      for (const route of d.routes().values()) {
        for (let i = 1; i < route.mappings.length; i++) assert.ok(route.mappings[i - 1]!.key.length >= route.mappings[i]!.key.length);
        d.getBasePathMappings(route.domainName);
      }
    }),
    { seed: SEED, numRuns: 300 },
  );
});
