import type { Page } from '../control/rest-apis.js';
import type { WireRequest } from './router.js';

/** API Gateway v1 paging: `position` and `limit` in the query string. */
export function pageOptions(req: WireRequest): { position?: string; limit?: number } {
  const o: { position?: string; limit?: number } = {};
  const position = req.query.get('position');
  const limit = req.query.get('limit');
  if (position) o.position = position;
  if (limit) o.limit = Number(limit);
  return o;
}

/** A v1 list on the wire: {"item": [...], "position"?} (botocore apigateway: locationName "item"). */
export function itemPage<T>(p: Page<T>, map: (t: T) => unknown = (t) => t): { item: unknown[]; position?: string } {
  return { item: p.items.map(map), ...(p.position ? { position: p.position } : {}) };
}
