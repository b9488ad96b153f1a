import { normalizedHeader, type HttpResponse } from '../cors/index.js';
import type { InspectReport } from '../server/inspect.js';
import { getJson } from './network.js';
import type { Platform } from './types.js';

const LOCAL_HOST = /^([a-z0-9]+)\.execute-api\.localhost$/i;
const LOCAL_PATH = /^\/restapis\/([a-z0-9]+)\/([^/]+)\/_user_request_(\/.*)?$/;
const AWS_HOST = /^([a-z0-9]+)\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/i;

function splitStage(path: string): { stage?: string; resourcePath: string } {
  const parts = path.split('/');
  if (parts.length < 2 || parts[1] === '') return { resourcePath: '/' };
  return { stage: decodeURIComponent(parts[1]!), resourcePath: `/${parts.slice(2).join('/')}` };
}

/** Where the URL points, from its shape alone: the local emulator (host or path form), AWS, or somewhere else. */
export function platformFromUrl(rawUrl: string): Platform {
  const url = new URL(rawUrl);
  const local = LOCAL_HOST.exec(url.hostname);
  if (local) {
    return { kind: 'local-rest', apiId: local[1]!.toLowerCase(), ...splitStage(url.pathname), localBase: `http://127.0.0.1:${url.port || 80}` };
  }
  const path = LOCAL_PATH.exec(url.pathname);
  if (path && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i.test(url.hostname)) {
    return { kind: 'local-rest', apiId: path[1]!.toLowerCase(), stage: decodeURIComponent(path[2]!), resourcePath: path[3] ?? '/', localBase: `http://${url.host}` };
  }
  const aws = AWS_HOST.exec(url.hostname);
  if (aws) return { kind: 'unknown', apiId: aws[1]!.toLowerCase(), ...splitStage(url.pathname) };
  return { kind: 'unknown', resourcePath: url.pathname };
}

/**
 * REST APIs answer with x-amzn-RequestId and x-amz-apigw-id; HTTP APIs with apigw-requestid (AWS's own response
 * headers, as the emulator reproduces them). The first AWS response decides.
 */
export function refineFromResponses(platform: Platform, responses: readonly HttpResponse[]): Platform {
  if (platform.kind !== 'unknown') return platform;
  for (const r of responses) {
    if (normalizedHeader(r.headers, 'apigw-requestid') !== undefined) return { ...platform, kind: 'aws-http' };
    if (normalizedHeader(r.headers, 'x-amz-apigw-id') !== undefined || normalizedHeader(r.headers, 'x-amzn-requestid') !== undefined) return { ...platform, kind: 'aws-rest' };
  }
  return platform;
}

/** Asks the local emulator about the API behind the URL; an HTTP API found there makes the platform local-http. */
export async function inspectLocal(platform: Platform, method: string): Promise<Platform> {
  if (!platform.localBase || !platform.apiId) return platform;
  const q = new URLSearchParams({ api: platform.apiId, stage: platform.stage ?? '', path: platform.resourcePath ?? '/', method });
  const report = (await getJson(`${platform.localBase}/_preflight/api/inspect?${q}`)) as InspectReport | undefined;
  if (!report || typeof report !== 'object' || !('kind' in report)) return platform;
  if (report.kind === 'http') return { ...platform, kind: 'local-http', inspection: report };
  return { ...platform, inspection: report };
}
