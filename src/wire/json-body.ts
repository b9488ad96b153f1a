import { badRequest } from '../control/errors.js';
import type { WireRequest } from './router.js';

/**
 * The request body as a JSON object. Malformed JSON gets a 400 that says where it broke, instead of the
 * deserializer noise AWS answers with.
 */
export function readJson(req: WireRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  const text = req.body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg)?.[1];
    const where = pos !== undefined ? ` at ${lineColumn(text, Number(pos))}` : '';
    throw badRequest(`Request body is not valid JSON${where}: ${msg}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('Request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function lineColumn(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}
