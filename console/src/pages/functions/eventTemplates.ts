// Test events as API Gateway sends them to a Lambda proxy integration: REST APIs (payload 1.0) and HTTP APIs
// (payload 2.0), shaped like the AWS Lambda console's "apigateway-aws-proxy" and "apigateway-http-api-proxy" templates.

const restV1 = {
  resource: '/users',
  path: '/users',
  httpMethod: 'POST',
  headers: { 'Content-Type': 'application/json', Origin: 'http://localhost:3000', Host: 'abc123.execute-api.localhost' },
  multiValueHeaders: { 'Content-Type': ['application/json'], Origin: ['http://localhost:3000'], Host: ['abc123.execute-api.localhost'] },
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: null,
  stageVariables: null,
  requestContext: {
    resourceId: 'abc123',
    resourcePath: '/users',
    httpMethod: 'POST',
    path: '/dev/users',
    accountId: '000000000000',
    protocol: 'HTTP/1.1',
    stage: 'dev',
    domainPrefix: 'abc123',
    requestTimeEpoch: 1700000000000,
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    identity: { sourceIp: '127.0.0.1', userAgent: 'Mozilla/5.0' },
    domainName: 'abc123.execute-api.localhost',
    apiId: 'abc123',
  },
  body: '{"name":"ada"}',
  isBase64Encoded: false,
};

const httpV2 = {
  version: '2.0',
  routeKey: 'POST /users',
  rawPath: '/users',
  rawQueryString: '',
  headers: { 'content-type': 'application/json', origin: 'http://localhost:3000', host: 'abc123.execute-api.localhost' },
  requestContext: {
    accountId: '000000000000',
    apiId: 'abc123',
    domainName: 'abc123.execute-api.localhost',
    domainPrefix: 'abc123',
    http: { method: 'POST', path: '/users', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Mozilla/5.0' },
    requestId: 'JKJaXmPLvHcESHA=',
    routeKey: 'POST /users',
    stage: '$default',
    time: '14/Nov/2023:22:13:20 +0000',
    timeEpoch: 1700000000000,
  },
  body: '{"name":"ada"}',
  isBase64Encoded: false,
};

export const EVENT_TEMPLATES: { id: string; label: string; event: unknown }[] = [
  { id: 'rest-v1', label: 'API Gateway REST API (Lambda proxy, payload 1.0)', event: restV1 },
  { id: 'http-v2', label: 'API Gateway HTTP API (payload 2.0)', event: httpV2 },
  { id: 'empty', label: 'Empty object', event: {} },
];
