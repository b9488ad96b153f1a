import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/db.js';
import type { ApiKey, ApiStage, UsagePlan, UsagePlanKey } from '../model/restapi.js';
import { badRequest, conflict, notFound } from './errors.js';
import type { ControlEvents } from './events.js';
import { ACCOUNT_ID, randomId } from './ids.js';
import { type PatchOperation, parseBooleanValue, pathSegments, requireValue, unsupportedPatch } from './patch.js';
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

  private get db() {
    return this.store.db;
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
    if (v.value !== undefined && v.value.length < 20) throw badRequest('API Key value should be at least 20 characters');
    const now = nowSeconds();
    const key: ApiKey = {
      id: randomId(10),
      value: v.value ?? generateKeyValue(),
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
      if (this.db.prepare('SELECT 1 FROM api_keys WHERE value = ?').get(key.value)) throw conflict('API Key value already exists');
      this.db.prepare('INSERT INTO api_keys (id, value, doc) VALUES (?, ?, ?)').run(key.id, key.value, JSON.stringify(key));
      return key;
    });
  }

  getApiKeys(opts: { includeValues?: boolean; nameQuery?: string; position?: string; limit?: number } = {}): Page<ApiKey> {
    const rows = this.db.prepare('SELECT doc FROM api_keys ORDER BY rowid').all() as { doc: string }[];
    let keys = rows.map((r) => JSON.parse(r.doc) as ApiKey);
    if (opts.nameQuery) keys = keys.filter((k) => k.name.startsWith(opts.nameQuery!));
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
        switch (field) {
          case 'enabled':
            k.enabled = parseBooleanValue(op);
            break;
          case 'name':
            k.name = requireValue(op);
            break;
          case 'description':
            if (op.op === 'remove') delete k.description;
            else k.description = requireValue(op);
            break;
          case 'customerId':
            if (op.op === 'remove') delete k.customerId;
            else k.customerId = requireValue(op);
            break;
          case 'stages': {
            // add/remove /stages with value "{restApiId}/{stageName}".
            const sk = op.value ?? rest.join('/');
            const [apiId, stage] = sk.split('/');
            if (!apiId || !stage) throw badRequest(`Invalid stage key '${sk}': use {restApiId}/{stageName}`);
            if (op.op === 'remove') k.stageKeys = k.stageKeys.filter((s) => s !== sk);
            else {
              this.requireStage(apiId, stage);
              if (!k.stageKeys.includes(sk)) k.stageKeys.push(sk);
            }
            break;
          }
          default:
            unsupportedPatch(op, ['/enabled', '/name', '/description', '/customerId', '/stages']);
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
    for (const s of v.apiStages ?? []) plan.apiStages.push(this.apiStage(s));
    return this.tx(() => {
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
      for (const op of ops) {
        const [field, sub] = pathSegments(op.path);
        if (field === 'name') plan.name = requireValue(op);
        else if (field === 'description') {
          if (op.op === 'remove') delete plan.description;
          else plan.description = requireValue(op);
        } else if (field === 'apiStages') {
          // add/remove /apiStages with value "{apiId}:{stage}" (AWS CLI update-usage-plan examples).
          const [apiId, stage] = requireValue(op).split(':');
          if (!apiId || !stage) throw badRequest(`Invalid API stage '${op.value}': use {apiId}:{stageName}`);
          if (op.op === 'remove') plan.apiStages = plan.apiStages.filter((s) => !(s.apiId === apiId && s.stage === stage));
          else if (!plan.apiStages.some((s) => s.apiId === apiId && s.stage === stage)) plan.apiStages.push(this.apiStage({ apiId, stage }));
        } else if (field === 'throttle' && (sub === 'rateLimit' || sub === 'burstLimit')) {
          plan.throttle ??= {};
          if (op.op === 'remove') delete plan.throttle[sub];
          else plan.throttle[sub] = Number(requireValue(op));
        } else if (field === 'quota' && (sub === 'limit' || sub === 'offset' || sub === 'period')) {
          plan.quota ??= {};
          if (op.op === 'remove') delete plan.quota[sub];
          else if (sub === 'period') plan.quota.period = requireValue(op) as 'DAY';
          else plan.quota[sub] = Number(requireValue(op));
          plan.quota = checkQuota(plan.quota);
        } else {
          unsupportedPatch(op, ['/name', '/description', '/apiStages', '/throttle/rateLimit', '/throttle/burstLimit', '/quota/limit', '/quota/offset', '/quota/period']);
        }
      }
      this.db.prepare('UPDATE usage_plans SET doc = ? WHERE id = ?').run(JSON.stringify(plan), id);
      return plan;
    });
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

  getUsagePlanKeys(planId: string): UsagePlanKey[] {
    this.getUsagePlan(planId);
    const rows = this.db.prepare('SELECT k.doc FROM usage_plan_keys pk JOIN api_keys k ON k.id = pk.key_id WHERE pk.plan_id = ? ORDER BY pk.rowid').all(planId) as { doc: string }[];
    return rows.map((r) => {
      const k = JSON.parse(r.doc) as ApiKey;
      return { id: k.id, type: 'API_KEY', value: k.value, name: k.name };
    });
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

  private apiStage(s: { apiId: string; stage: string; throttle?: ApiStage['throttle'] | undefined }): ApiStage {
    this.requireStage(s.apiId, s.stage);
    const out: ApiStage = { apiId: s.apiId, stage: s.stage };
    if (s.throttle) out.throttle = s.throttle;
    return out;
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
