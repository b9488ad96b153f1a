// The physical limit on this machine: node:http answering with the same bytes preflight sends, doing nothing else.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { announce } from './announce.js';

const PREFLIGHT_HEADERS = [
  'Access-Control-Allow-Headers', 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token',
  'Access-Control-Allow-Methods', 'GET,OPTIONS',
  'Access-Control-Allow-Origin', '*',
  'Content-Type', 'application/json',
  'x-amzn-RequestId', '00000000-0000-0000-0000-000000000000',
  'x-amz-apigw-id', 'AAAAAAAAAAAAAAA=',
  'Content-Length', '0',
];
const LAMBDA_BODY = '{"ok":true}';
const LAMBDA_HEADERS = [
  'Content-Type', 'application/json',
  'x-amzn-RequestId', '00000000-0000-0000-0000-000000000000',
  'x-amz-apigw-id', 'AAAAAAAAAAAAAAA=',
  'X-Amzn-Trace-Id', 'Root=1-00000000-000000000000000000000000',
  'Content-Length', String(LAMBDA_BODY.length),
];
// REST unknown route: 403 Missing Authentication Token.
const MISSING_TOKEN_BODY = '{"message":"Missing Authentication Token"}';
const MISSING_TOKEN_HEADERS = [
  'Content-Type', 'application/json',
  'x-amzn-RequestId', '00000000-0000-0000-0000-000000000000',
  'x-amzn-ErrorType', 'MissingAuthenticationTokenException',
  'x-amz-apigw-id', 'AAAAAAAAAAAAAAA=',
  'Content-Length', String(MISSING_TOKEN_BODY.length),
];

// HTTP API shapes: the gateway's 204 preflight and a payload 2.0 response.
const HTTP_PREFLIGHT_HEADERS = [
  'access-control-allow-origin', 'http://localhost:3000',
  'vary', 'origin',
  'access-control-allow-methods', 'GET,POST',
  'access-control-allow-headers', 'content-type',
  'apigw-requestid', 'AAAAAAAAAAAAAAA=',
];
const HTTP_GET_HEADERS = ['Content-Type', 'application/json', 'apigw-requestid', 'AAAAAAAAAAAAAAA=', 'Content-Length', String(LAMBDA_BODY.length)];

const server = http.createServer((req, res) => {
  // The body is read to its end, as preflight reads it (the 100 KB POST scenario), then dropped.
  req.resume();
  req.on('end', () => {
    const url = req.url ?? '/';
    if (url.startsWith('/http/')) {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, HTTP_PREFLIGHT_HEADERS);
        res.end();
      } else {
        res.writeHead(200, HTTP_GET_HEADERS);
        res.end(LAMBDA_BODY);
      }
      return;
    }
    if (url === '/bench/nope') {
      res.writeHead(403, MISSING_TOKEN_HEADERS);
      res.end(MISSING_TOKEN_BODY);
    } else if (req.method === 'OPTIONS') {
      res.writeHead(200, PREFLIGHT_HEADERS);
      res.end();
    } else {
      res.writeHead(200, LAMBDA_HEADERS);
      res.end(LAMBDA_BODY);
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  announce({ port: (server.address() as AddressInfo).port });
});
