import type { ControlPlane } from '../control/index.js';
import { DEFAULT_ROLE } from '../control/functions.js';

export interface DemoApi {
  apiId: string;
  stage: string;
}

export const DEMO_FRONT_END_ORIGIN = 'http://localhost:3000';

/**
 * Builds the demo's REST API through the same control operations the AWS SDK would use:
 * /users (proxy to a withCors handler, Enable CORS for the front end), /no-cors (CORS enabled, but the function
 * sends no headers) and /no-options (no OPTIONS method at all), deployed to stage "dev".
 */
export async function setupDemoApi(control: ControlPlane, functionsDir: string, frontEndOrigin = DEMO_FRONT_END_ORIGIN): Promise<DemoApi> {
  const { apis, deployments, functions } = control;
  for (const [name, dir] of [['demo-users', 'users'], ['demo-users-no-cors', 'users-no-cors']] as const) {
    if (!functions.find(name)) {
      await functions.createFunction({
        FunctionName: name,
        Runtime: 'nodejs20.x',
        Role: DEFAULT_ROLE,
        Handler: 'index.main',
        Code: { Directory: `${functionsDir}/${dir}` },
        // withCors reads the allowed origins from here, so the demo works on whatever port the front end got.
        Environment: { Variables: { CORS_ALLOWED_ORIGINS: frontEndOrigin } },
      });
    }
  }
  const api = apis.createRestApi({ name: 'preflight-demo', description: 'The demo API behind `npm start`' });
  const uri = (fn: string) =>
    `arn:aws:apigateway:${functions.region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${functions.region}:000000000000:function:${fn}/invocations`;
  const proxyMethod = (resourceId: string, method: string, fn: string) => {
    apis.putMethod(api.id, resourceId, method, { authorizationType: 'NONE' });
    apis.putIntegration(api.id, resourceId, method, { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: uri(fn) });
  };
  const allowHeaders = 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Demo-Client';

  const users = apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
  proxyMethod(users.id, 'GET', 'demo-users');
  proxyMethod(users.id, 'POST', 'demo-users');
  control.enableCors(api.id, users.id, { allowOrigin: frontEndOrigin, allowHeaders });

  const noCors = apis.createResource(api.id, api.rootResourceId, { pathPart: 'no-cors' });
  proxyMethod(noCors.id, 'GET', 'demo-users-no-cors');
  control.enableCors(api.id, noCors.id, { allowOrigin: frontEndOrigin, allowHeaders });

  const noOptions = apis.createResource(api.id, api.rootResourceId, { pathPart: 'no-options' });
  proxyMethod(noOptions.id, 'POST', 'demo-users');

  deployments.createDeployment(api.id, { stageName: 'dev', description: 'demo' });
  return { apiId: api.id, stage: 'dev' };
}
