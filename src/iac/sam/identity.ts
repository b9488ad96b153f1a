import { IacError } from '../diagnostics.js';
import type { JsonPath } from '../source.js';
import type { Template } from '../template.js';

/**
 * A Lambda authorizer's Identity.{Headers, QueryStrings, StageVariables, Context}: each a list of names (SAM
 * specification, ApiAuth / HttpApiAuth Lambda authorizer Identity). Anything else is reported where it is.
 */
export function identityNames(t: Template, authorizer: string, identity: Record<string, unknown>, key: string, at: JsonPath): string[] {
  const v = identity[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new IacError(`authorizer ${authorizer}: Identity.${key} must be a list of names`, t.doc.locate([...at, 'Identity', key]), `write it as a list, e.g. ${key}: [${key === 'Headers' ? 'Authorization' : 'name'}]`);
  }
  return v as string[];
}
