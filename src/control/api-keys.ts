import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/db.js';
import type { ApiKey, ApiStage, UsagePlan, UsagePlanKey } from '../model/restapi.js';
import { badRequest, conflict, notFound, validationError } from './errors.js';
import type { ControlEvents } from './events.js';
import { ACCOUNT_ID, randomId } from './ids.js';
import { type PatchOperation, pathSegments, requireValue, unsupportedPatch } from './patch.js';
import { nowSeconds, paginate, type Page } from './rest-apis.js';
import { parseInput, stringMap } from './validate.js';

const throttleSchema = z.object({ burstLimit: z.number().int().min(0).optional(), rateLimit: z.number().min(0).optional() });
const quotaSchema = z.object({ limit: z.number().int().min(0).optional(), offset: z.number().int().min(0).optional(), period: z.enum(['DAY', 'WEEK', 'MONTH']).optional() });

const apiKeyInput = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  enabled: z.boolean().optional(),
  generateDistinctId: z.boolean().optional(),
  value: z.string().optional(),
  stageKeys: z.array(z.object({ restApiId: z.string(), stageName: z.string() })).optional(),
  customerId: z.string().optional(),
  tags: stringMap.optional(),
});

const usagePlanInput = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  apiStages: z.array(z.object({ apiId: z.string(), stage: z.string(), throttle: z.record(z.string(), throttleSchema).optional() })).optional(),
  throttle: throttleSchema.optional(),
  quota: quotaSchema.optional(),
  tags: stringMap.optional(),
});

/** Looks up whether an API stage exists, for usage plans that name one. */
export type StageExists = (apiId: string, stage: string) => 'ok' | 'no-api' | 'no-stage';

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * API keys and usage plans: account-wide, not part of any deployment, so changes apply to requests at once, as on
 * AWS. The data plane reads them through `keyByValue` and `plansFor`.
 */
export class ApiKeyService {
  constructor(
    private readonly store: Store,
    private readonly events: ControlEvents,
    private readonly stageExists: StageExists,
  ) {}

  /** Statements through the store's cache of prepared statements. */
  private get db(): Pick<Store, 'prepare' | 'freshId'> {
    return this.store;
  }

  private changed(): void {
    this.events.emit({ kind: 'usage' });
  }

  private tx<T>(fn: () => T): T {
    const r = this.store.tx(fn);
    this.changed();
    return r;
  }

  // ---- API keys --------------------------------------------------------------------------------------------

  createApiKey(input: unknown): ApiKey {
    const v = parseInput(apiKeyInput, input, 'createApiKeyInput');
    checkApiKeyName(v.name);
    checkApiKeyDescription(v.description);
    // An empty value is treated as none: AWS generates one (LocalStack AWS-validated snapshot test_apigateway_extended
    // test_create_api_key_with_invalid_value::create-api-key-empty-value).
    const value = v.value ? checkApiKeyValue(v.value) : generateKeyValue();
    const now = nowSeconds();
    const key: ApiKey = {
      id: '', // drawn in the transaction, where it can be checked unused
      value,
      // Kept as '' when not given; the wire leaves an empty name out, as AWS does.
      name: v.name ?? '',
      enabled: v.enabled ?? false,
      createdDate: now,
      lastUpdatedDate: now,
      stageKeys: [],
    };
    if (v.description !== undefined) key.description = v.description;
    if (v.customerId !== undefined) key.customerId = v.customerId;
    if (v.tags !== undefined) key.tags = v.tags;
    for (const sk of v.stageKeys ?? []) {
      this.requireStage(sk.restApiId, sk.stageName);
      key.stageKeys.push(`${sk.restApiId}/${sk.stageName}`);
    }
    return this.tx(() => {
      // 409 ConflictException "API Key already exists" for a value in use (real errors quoted in
      // rrahul963/serverless-add-api-key#27 and serverless/serverless#6458: "Status Code: 409; Error Code: ConflictException").
      if (this.db.prepare('SELECT 1 FROM api_keys WHERE value = ?').get(key.value)) throw conflict('API Key already exists');
      key.id = this.db.freshId('api_keys', undefined, () => randomId(10));
      this.db.prepare('INSERT INTO api_keys (id, value, doc) VALUES (?, ?, ?)').run(key.id, key.value, JSON.stringify(key));
      return key;
    });
  }

  /**
   * ImportApiKeys (format csv): the `Name` and `Key` columns are required, `Description`, `Enabled` and `UsagePlanIds`
   * optional, headers case-insensitive and in any order, unknown columns ignored, Enabled defaults to true, a key
   * imported again overwrites the earlier one with the same value (AGDG api-key-file-format.md). Key values are
   * 30 to 128 characters, names at most 1024 (same page). Answers the new keys' ids (botocore ApiKeyIds).
   */
  importApiKeys(body: string, format: string | null, failOnWarnings: boolean): { ids: string[]; warnings: string[] } {
    if (format !== 'csv') {
      throw validationError(`1 validation error detected: Value '${format ?? 'null'}' at 'format' failed to satisfy constraint: Member must satisfy enum value set: [csv]`);
    }
    const rows = parseCsv(body.replace(/^\uFEFF/, '')).filter((r) => r.some((c) => c.trim() !== ''));
    const header = (rows.shift() ?? []).map((h) => h.trim().toLowerCase());
    const col = (name: string) => header.indexOf(name);
    if (col('key') < 0 || col('name') < 0) throw badRequest('Invalid API key file: the Name and Key columns are required (AGDG api-key-file-format)');
    const warnings: string[] = [];
    const parsed: { value: string; name: string; description?: string; enabled: boolean; planIds: string[] }[] = [];
    rows.forEach((r, i) => {
      const cell = (name: string) => (col(name) >= 0 ? (r[col(name)] ?? '').trim() : '');
      const line = i + 2;
      const value = cell('key');
      const name = cell('name');
      if (value.length < 30 || value.length > 128) {
        warnings.push(`Line ${line}: the Key value must be between 30 and 128 characters; key skipped`);
        return;
      }
      if (name.length > 1024) {
        warnings.push(`Line ${line}: the Name cannot exceed 1024 characters; key skipped`);
        return;
      }
      const enabledText = cell('enabled').toLowerCase();
      const entry: (typeof parsed)[number] = {
        value,
        name,
        enabled: enabledText === '' ? true : enabledText === 'true',
        planIds: cell('usageplanids').replace(/^['"]|['"]$/g, '').split(',').map((p) => p.trim()).filter(Boolean),
      };
      const description = cell('description');
      if (description) entry.description = description;
      for (const planId of entry.planIds) {
        if (!this.db.prepare('SELECT 1 FROM usage_plans WHERE id = ?').get(planId)) warnings.push(`Line ${line}: Invalid Usage Plan ID specified: ${planId}`);
      }
      parsed.push(entry);
    });
    if (failOnWarnings && warnings.length) throw badRequest(`API key import failed with warnings: ${warnings.join('; ')}`);
    return this.tx(() => {
      const ids: string[] = [];
      const now = nowSeconds();
      for (const e of parsed) {
        const existing = this.keyByValue(e.value);
        const key: ApiKey = existing
          ? { ...existing, name: e.name, enabled: e.enabled, lastUpdatedDate: now }
          : { id: this.db.freshId('api_keys', undefined, () => randomId(10)), value: e.value, name: e.name, enabled: e.enabled, createdDate: now, lastUpdatedDate: now, stageKeys: [] };
        if (e.description !== undefined) key.description = e.description;
        else delete key.description;
        if (existing) this.db.prepare('UPDATE api_keys SET doc = ? WHERE id = ?').run(JSON.stringify(key), key.id);
        else this.db.prepare('INSERT INTO api_keys (id, value, doc) VALUES (?, ?, ?)').run(key.id, key.value, JSON.stringify(key));
        for (const planId of e.planIds) {
          if (!this.db.prepare('SELECT 1 FROM usage_plans WHERE id = ?').get(planId)) continue;
          this.db.prepare('INSERT OR IGNORE INTO usage_plan_keys (plan_id, key_id) VALUES (?, ?)').run(planId, key.id);
        }
        ids.push(key.id);
      }
      return { ids, warnings };
    });
  }

  getApiKeys(opts: { includeValues?: boolean; nameQuery?: string; customerId?: string; position?: string; limit?: number } = {}): Page<ApiKey> {
    const rows = this.db.prepare('SELECT doc FROM api_keys ORDER BY rowid').all() as { doc: string }[];
    let keys = rows.map((r) => JSON.parse(r.doc) as ApiKey);
    // nameQuery is a case-sensitive prefix match (LocalStack AWS-validated snapshot test_get_api_keys: prefix found,
    // upper-cased prefix, postfix and infix not).
    if (opts.nameQuery) keys = keys.filter((k) => k.name.startsWith(opts.nameQuery!));
    if (opts.customerId) keys = keys.filter((k) => k.customerId === opts.customerId);
    // Values are returned only when asked for (GetApiKeys includeValues), as AWS does.
    return paginate(
      keys.map((k) => (opts.includeValues ? k : withoutValue(k))),
      opts,
    );
  }

  findApiKey(id: string): ApiKey | undefined {
    const row = this.db.prepare('SELECT doc FROM api_keys WHERE id = ?').get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as ApiKey) : undefined;
  }

  getApiKey(id: string, includeValue = false): ApiKey {
    const k = this.findApiKey(id);
    if (!k) throw notFound('Invalid API Key identifier specified');
    return includeValue ? k : withoutValue(k);
  }

  updateApiKey(id: string, ops: PatchOperation[]): ApiKey {
    return this.tx(() => {
      const k = this.getApiKey(id, true);
      for (const op of ops) {
        const [field, ...rest] = pathSegments(op.path);
        // Legacy stage keys: add/remove /stages with value "{restApiId}/{stageName}".
        if (field === 'stages' && (op.op === 'add' || op.op === 'remove')) {
          const sk = op.value ?? rest.join('/');
          const [apiId, stage] = sk.split('/');
          if (!apiId || !stage) throw badRequest(`Invalid stage key '${sk}': use {restApiId}/{stageName}`);
          if (op.op === 'remove') k.stageKeys = k.stageKeys.filter((s) => s !== sk);
          else {
            this.requireStage(apiId, stage);
            if (!k.stageKeys.includes(sk)) k.stageKeys.push(sk);
          }
          continue;
        }
        // Other fields are replaced; any other path gets AWS's text (LocalStack AWS-validated snapshot
        // test_update_api_key_immutable_field). A non-boolean /enabled is taken as false
        // (test_update_api_key_invalid_enabled_type), a too long description refused (..._invalid_description_length).
        const allowed = ['/description', '/enabled', '/name', '/customerId'];
        if (op.op !== 'replace' || rest.length > 0 || !allowed.includes(`/${field}`)) unsupportedPatch(op, allowed);
        switch (field) {
          case 'enabled':
            k.enabled = (op.value ?? '').toLowerCase() === 'true';
            break;
          case 'name':
            checkApiKeyName(op.value);
            k.name = op.value ?? '';
            break;
          case 'description':
            checkApiKeyDescription(op.value);
            if (op.value === undefined) delete k.description;
            else k.description = op.value;
            break;
          default:
            if (op.value === undefined) delete k.customerId;
            else k.customerId = op.value;
        }
      }
      k.lastUpdatedDate = nowSeconds();
      this.db.prepare('UPDATE api_keys SET doc = ? WHERE id = ?').run(JSON.stringify(k), id);
      return withoutValue(k);
    });
  }

  deleteApiKey(id: string): void {
    this.tx(() => {
      this.getApiKey(id);
      this.db.prepare('DELETE FROM api_keys WHERE id = ?').run(id);
    });
  }

  /** The data plane's lookup: the key whose value a request sent. */
  keyByValue(value: string): ApiKey | undefined {
    const row = this.db.prepare('SELECT doc FROM api_keys WHERE value = ?').get(value) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as ApiKey) : undefined;
  }

  // ---- usage plans -----------------------------------------------------------------------------------------

  createUsagePlan(input: unknown): UsagePlan {
    const v = parseInput(usagePlanInput, input, 'createUsagePlanInput');
    const plan: UsagePlan = { id: randomId(6), name: v.name, apiStages: [] };
    if (v.description !== undefined) plan.description = v.description;
    if (v.throttle) plan.throttle = v.throttle;
    if (v.quota) plan.quota = checkQuota(v.quota);
    if (v.tags) plan.tags = v.tags;
    for (const s of v.apiStages ?? []) {
      // AWS's own unformatted text for an empty api id or stage (aws/aws-sdk#354, aws/aws-cdk#6169: 400
      // BadRequestException, literally with the %s placeholders).
      if (!s.apiId || !s.stage) throw badRequest('Invalid API Stage {api: %s, stage: %s} specified for usageplan %s');
      // A stage that does not exist: the same template, filled in, with the 404 UpdateUsagePlan answers (LocalStack
      // AWS-validated snapshot test_usage_plan_crud update-wrong-api-stages-wrong-stage). That CreateUsagePlan fills
      // in the new plan's id is UNCERTAIN; "API Stage not found: {apiId}:{stage}." seen in deployments
      // (serverless/serverless#2831) is CloudFormation's wording, not the API's.
      if (this.stageExists(s.apiId, s.stage) !== 'ok') throw notFound(`Invalid API Stage {api: ${s.apiId}, stage: ${s.stage}} specified for usageplan ${plan.id}`);
      const out: ApiStage = { apiId: s.apiId, stage: s.stage };
      if (s.throttle) out.throttle = s.throttle;
      plan.apiStages.push(out);
    }
    return this.tx(() => {
      // Drawn again where it can be checked unused (the one above only names the plan in a refusal).
      plan.id = this.db.freshId('usage_plans', undefined, () => randomId(6));
      this.db.prepare('INSERT INTO usage_plans (id, doc) VALUES (?, ?)').run(plan.id, JSON.stringify(plan));
      return plan;
    });
  }

  getUsagePlans(opts: { keyId?: string; position?: string; limit?: number } = {}): Page<UsagePlan> {
    let rows = this.db.prepare('SELECT id, doc FROM usage_plans ORDER BY rowid').all() as { id: string; doc: string }[];
    if (opts.keyId) {
      const ids = new Set((this.db.prepare('SELECT plan_id FROM usage_plan_keys WHERE key_id = ?').all(opts.keyId) as { plan_id: string }[]).map((r) => r.plan_id));
      rows = rows.filter((r) => ids.has(r.id));
    }
    return paginate(
      rows.map((r) => JSON.parse(r.doc) as UsagePlan),
      opts,
    );
  }

  getUsagePlan(id: string): UsagePlan {
    const row = this.db.prepare('SELECT doc FROM usage_plans WHERE id = ?').get(id) as { doc: string } | undefined;
    if (!row) throw notFound('Invalid Usage Plan ID specified');
    return JSON.parse(row.doc) as UsagePlan;
  }

  updateUsagePlan(id: string, ops: PatchOperation[]): UsagePlan {
    return this.tx(() => {
      const plan = this.getUsagePlan(id);
      const allowed = ['/name', '/description', '/productCode', '/apiStages', '/apiStages/{apiId}:{stage}/throttle', '/throttle/rateLimit', '/throttle/burstLimit', '/quota/limit', '/quota/offset', '/quota/period'];
      for (const op of ops) {
        const [field, sub, ...rest] = pathSegments(op.path);
        if (field === 'name' && sub === undefined) plan.name = requireValue(op);
        else if ((field === 'description' || field === 'productCode') && sub === undefined) {
          if (op.op === 'remove') delete plan[field];
          else plan[field] = requireValue(op);
        } else if (field === 'apiStages' && sub === undefined && (op.op === 'add' || op.op === 'remove')) {
          // add/remove /apiStages with value "{apiId}:{stage}" (AWS CLI update-usage-plan examples). No value or no
          // colon: 400 "Invalid API Stage specified"; an unknown API or stage: 404 naming both and the plan
          // (LocalStack AWS-validated snapshot test_apigateway_common test_usage_plan_crud).
          const { apiId, stage } = this.planStage(id, op.value ?? '');
          if (op.op === 'remove') plan.apiStages = plan.apiStages.filter((s) => !(s.apiId === apiId && s.stage === stage));
          else if (!plan.apiStages.some((s) => s.apiId === apiId && s.stage === stage)) plan.apiStages.push({ apiId, stage });
        } else if (field === 'apiStages' && sub !== undefined && rest[0] === 'throttle') {
          // Per-method throttling of one API stage (AGDG api-gateway-create-usage-plans-with-rest-api.md):
          // replace .../throttle/{resourcePath}/{httpMethod}/rateLimit|burstLimit, remove .../throttle/{path}/{method},
          // remove .../throttle, or replace .../throttle with a JSON map such as {"/pets/GET":{"rateLimit":1.0,"burstLimit":1}}.
          const { apiId, stage } = this.planStage(id, sub);
          const target = plan.apiStages.find((s) => s.apiId === apiId && s.stage === stage);
          if (!target) throw notFound(`Invalid API Stage {api: ${apiId}, stage: ${stage}} specified for usageplan ${id}`);
          patchStageThrottle(target, op, rest.slice(1));
          if (target.throttle && Object.keys(target.throttle).length === 0) delete target.throttle;
        } else if (field === 'throttle' && (sub === 'rateLimit' || sub === 'burstLimit') && rest.length === 0) {
          plan.throttle ??= {};
          if (op.op === 'remove') delete plan.throttle[sub];
          else plan.throttle[sub] = numberValue(op, sub === 'burstLimit');
          if (Object.keys(plan.throttle).length === 0) delete plan.throttle;
        } else if (field === 'throttle' && sub === undefined && op.op === 'remove') {
          delete plan.throttle;
        } else if (field === 'quota' && (sub === 'limit' || sub === 'offset' || sub === 'period') && rest.length === 0) {
          const q: { limit?: number | undefined; offset?: number | undefined; period?: 'DAY' | 'WEEK' | 'MONTH' | undefined } = { ...(plan.quota ?? {}) };
          if (op.op === 'remove') delete q[sub];
          else if (sub === 'period') {
            const period = requireValue(op);
            if (period !== 'DAY' && period !== 'WEEK' && period !== 'MONTH') {
              throw validationError(`1 validation error detected: Value '${period}' at 'updateUsagePlanInput.quota.period' failed to satisfy constraint: Member must satisfy enum value set: [DAY, WEEK, MONTH]`);
            }
            q.period = period;
          } else q[sub] = numberValue(op, true);
          // Checked once all operations are applied: a quota is often set one field at a time.
          plan.quota = q as NonNullable<UsagePlan['quota']>;
        } else if (field === 'quota' && sub === undefined && op.op === 'remove') {
          delete plan.quota;
        } else {
          unsupportedPatch(op, allowed);
        }
      }
      if (plan.quota) plan.quota = checkQuota(plan.quota);
      this.db.prepare('UPDATE usage_plans SET doc = ? WHERE id = ?').run(JSON.stringify(plan), id);
      return plan;
    });
  }

  /** "{apiId}:{stage}" of an UpdateUsagePlan path or value, checked as AWS checks it (see updateUsagePlan). */
  private planStage(planId: string, text: string): { apiId: string; stage: string } {
    const [apiId, stage, ...more] = text.split(':');
    if (!apiId || !stage || more.length) throw badRequest('Invalid API Stage specified');
    if (this.stageExists(apiId, stage) !== 'ok') throw notFound(`Invalid API Stage {api: ${apiId}, stage: ${stage}} specified for usageplan ${planId}`);
    return { apiId, stage };
  }

  deleteUsagePlan(id: string): void {
    this.tx(() => {
      this.getUsagePlan(id);
      this.db.prepare('DELETE FROM usage_plans WHERE id = ?').run(id);
    });
  }

  createUsagePlanKey(planId: string, input: unknown): UsagePlanKey {
    const v = parseInput(z.object({ keyId: z.string(), keyType: z.string() }), input, 'createUsagePlanKeyInput');
    if (v.keyType !== 'API_KEY') throw badRequest(`Invalid key type '${v.keyType}': the only key type is API_KEY`);
    return this.tx(() => {
      this.getUsagePlan(planId);
      const key = this.findApiKey(v.keyId);
      if (!key) throw notFound('Invalid API Key identifier specified');
      if (this.db.prepare('SELECT 1 FROM usage_plan_keys WHERE plan_id = ? AND key_id = ?').get(planId, v.keyId)) {
        throw conflict('Usage Plan Key already exists');
      }
      this.db.prepare('INSERT INTO usage_plan_keys (plan_id, key_id) VALUES (?, ?)').run(planId, v.keyId);
      return { id: key.id, type: 'API_KEY', value: key.value, name: key.name };
    });
  }

  /**
   * A plan's keys. An unknown plan answers an empty list, not an error; nameQuery is a case-sensitive prefix of the
   * key name (LocalStack AWS-validated snapshot test_apigateway_extended test_get_usage_plan_api_keys).
   */
  getUsagePlanKeys(planId: string, nameQuery?: string): UsagePlanKey[] {
    const rows = this.db.prepare('SELECT k.doc FROM usage_plan_keys pk JOIN api_keys k ON k.id = pk.key_id WHERE pk.plan_id = ? ORDER BY pk.rowid').all(planId) as { doc: string }[];
    return rows
      .map((r) => {
        const k = JSON.parse(r.doc) as ApiKey;
        const out: UsagePlanKey = { id: k.id, type: 'API_KEY', value: k.value, name: k.name };
        return out;
      })
      .filter((k) => !nameQuery || k.name.startsWith(nameQuery));
  }

  /** One key of a plan (GetUsagePlanKey). Texts as for the plan and the key elsewhere; which AWS checks first is UNCERTAIN. */
  getUsagePlanKey(planId: string, keyId: string): UsagePlanKey {
    this.getUsagePlan(planId);
    if (!this.findApiKey(keyId)) throw notFound('Invalid API Key identifier specified');
    const k = this.getUsagePlanKeys(planId).find((x) => x.id === keyId);
    if (!k) throw notFound('Invalid Usage Plan Key identifier specified');
    return k;
  }

  deleteUsagePlanKey(planId: string, keyId: string): void {
    this.tx(() => {
      this.getUsagePlan(planId);
      const r = this.db.prepare('DELETE FROM usage_plan_keys WHERE plan_id = ? AND key_id = ?').run(planId, keyId);
      if (r.changes === 0) throw notFound('Invalid Usage Plan Key identifier specified');
    });
  }

  /** Usage plans that attach this API stage and include this key: what the data plane enforces for a request. */
  plansFor(keyId: string, apiId: string, stage: string): UsagePlan[] {
    const rows = this.db.prepare('SELECT p.doc FROM usage_plan_keys pk JOIN usage_plans p ON p.id = pk.plan_id WHERE pk.key_id = ?').all(keyId) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as UsagePlan).filter((p) => p.apiStages.some((s) => s.apiId === apiId && s.stage === stage));
  }

  /** Quota use recorded for a plan, key and period start (epoch seconds). */
  usageCount(planId: string, keyId: string, periodStart: number): number {
    const row = this.db.prepare('SELECT used FROM usage_counts WHERE plan_id = ? AND key_id = ? AND period_start = ?').get(planId, keyId, periodStart) as { used: number } | undefined;
    return row?.used ?? 0;
  }

  recordUsage(planId: string, keyId: string, periodStart: number, used: number): void {
    this.db
      .prepare('INSERT INTO usage_counts (plan_id, key_id, period_start, used) VALUES (?, ?, ?, ?) ON CONFLICT(plan_id, key_id, period_start) DO UPDATE SET used = excluded.used')
      .run(planId, keyId, periodStart, used);
  }

  private requireStage(apiId: string, stage: string): void {
    const state = this.stageExists(apiId, stage);
    if (state === 'no-api') throw notFound(`Invalid API identifier specified ${ACCOUNT_ID}:${apiId}`);
    if (state === 'no-stage') throw notFound(`Invalid stage identifier specified`);
  }
}

function generateKeyValue(): string {
  // 40 alphanumeric characters, the shape of the values AWS generates.
  return Array.from(randomBytes(40), (b) => KEY_ALPHABET[b % KEY_ALPHABET.length]).join('');
}

function withoutValue(k: ApiKey): ApiKey {
  const { value: _v, ...rest } = k;
  return rest as ApiKey;
}

function checkQuota(q: { limit?: number | undefined; offset?: number | undefined; period?: 'DAY' | 'WEEK' | 'MONTH' | undefined }): NonNullable<UsagePlan['quota']> {
  if (q.limit === undefined || q.period === undefined) throw badRequest('A usage plan quota needs both a limit and a period (DAY, WEEK or MONTH)');
  const maxOffset = q.period === 'DAY' ? 0 : q.period === 'WEEK' ? 6 : 27;
  if ((q.offset ?? 0) > maxOffset) throw badRequest(`Quota offset ${q.offset} is out of range for period ${q.period} (0 to ${maxOffset})`);
  const out: NonNullable<UsagePlan['quota']> = { limit: q.limit, offset: q.offset ?? 0, period: q.period };
  return out;
}

function numberValue(op: PatchOperation, integer: boolean): number {
  const text = requireValue(op);
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw badRequest(`Invalid value '${text}' for ${op.path}: expected a non-negative ${integer ? 'integer' : 'number'}`);
  }
  return n;
}

/** Applies one patch under /apiStages/{apiId}:{stage}/throttle (segments after "throttle"). */
function patchStageThrottle(target: ApiStage, op: PatchOperation, segs: string[]): void {
  if (segs.length === 0 || (segs.length === 1 && segs[0] === '')) {
    if (op.op === 'remove') {
      delete target.throttle;
      return;
    }
    if (op.op !== 'replace' && op.op !== 'add') unsupportedPatch(op, ['/apiStages/{apiId}:{stage}/throttle']);
    let parsed: unknown;
    try {
      parsed = JSON.parse(requireValue(op));
      if (typeof parsed === 'string') parsed = JSON.parse(parsed);
    } catch {
      parsed = undefined;
    }
    const map = z.record(z.string(), throttleSchema).safeParse(parsed);
    if (!map.success) throw badRequest(`Invalid throttle map for ${op.path}: use {"/pets/GET":{"rateLimit":1.0,"burstLimit":1}}`);
    target.throttle = map.data;
    return;
  }
  const last = segs[segs.length - 1];
  const limit = last === 'rateLimit' || last === 'burstLimit' ? last : undefined;
  const methodAt = limit ? segs.length - 2 : segs.length - 1;
  const method = segs[methodAt];
  const resource = segs.slice(0, methodAt).join('/');
  if (!method || methodAt < 1) throw badRequest(`Invalid patch path ${op.path}: use /apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}/rateLimit`);
  const key = `${resource.startsWith('/') ? resource : `/${resource}`}/${method.toUpperCase()}`;
  const throttle = { ...(target.throttle ?? {}) };
  if (op.op === 'remove') {
    if (limit && throttle[key]) {
      const { [limit]: _gone, ...left } = throttle[key];
      throttle[key] = left;
    } else delete throttle[key];
  } else {
    if (!limit) throw badRequest(`Invalid patch path ${op.path}: name rateLimit or burstLimit`);
    throttle[key] = { ...(throttle[key] ?? {}), [limit]: numberValue(op, limit === 'burstLimit') };
  }
  target.throttle = throttle;
}

// Limits and texts of CreateApiKey/UpdateApiKey (LocalStack AWS-validated snapshot test_apigateway_extended
// TestApigatewayApiKeysCrud: name over 1024 characters, value under 20 or over 128, description over 125000).
function checkApiKeyName(name: string | undefined): void {
  if (name !== undefined && name.length > 1024) throw badRequest('Invalid API Key name, can be at most 1024 characters.');
}

function checkApiKeyDescription(description: string | undefined): void {
  if (description !== undefined && description.length > 125000) throw badRequest('Invalid API Key description specified.');
}

function checkApiKeyValue(value: string): string {
  if (value.length < 20) throw badRequest('API Key value should be at least 20 characters');
  if (value.length > 128) throw badRequest('API Key value exceeds maximum size of 128 characters');
  return value;
}

/** RFC 4180 CSV: quoted fields (with "" for a quote) may hold commas and line breaks; single quotes too (AGDG). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote && text[i + 1] === quote) {
        field += c;
        i++;
      } else if (c === quote) quote = undefined;
      else field += c;
    } else if ((c === '"' || c === "'") && field.trim() === '') {
      quote = c;
      field = '';
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
