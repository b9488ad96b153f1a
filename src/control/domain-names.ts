import { z } from 'zod';
import type { Store } from '../store/db.js';
import type { ApiMapping, BasePathMapping, DomainMapping, DomainName, DomainNameView } from '../model/domain-names.js';
import { AwsError, badRequest, conflict, notFound } from './errors.js';
import type { ControlEvents } from './events.js';
import { randomId } from './ids.js';
import { type PatchOperation, requireValue, unsupportedPatch } from './patch.js';
import { nowSeconds, paginate, type Page } from './rest-apis.js';
import { parseInput, stringMap } from './validate.js';

/*
 * Custom domain names and their mappings. Facts and their sources (research notes of this change, cited per rule):
 *  - botocore apigateway 2015-07-09 / apigatewayv2 2018-11-29 models: paths, status codes, members.
 *  - AWS CLI examples (awscli/examples/apigateway{,v2}/*.rst): response shapes, "(none)", EDGE by default.
 *  - AWS docs (apigateway-regional-api-custom-domain-create, rest-api-mappings, how-to-custom-domains): generated
 *    names, hosted zones, longest-path routing, v1 and v2 sharing one domain resource.
 *  - Error texts quoted from real AWS responses in public issues (named at each use).
 */

/** Route 53 hosted zone of every CloudFront distribution (AWS general reference, apigateway endpoints). */
const CLOUDFRONT_HOSTED_ZONE = 'Z2FDTNDATAQYW2';
/**
 * Hosted zones of the regional execute-api endpoints that we could confirm (AWS CLI example get-domain-names for
 * us-east-1; AGDG apigateway-regional-api-custom-domain-create for us-west-2). Other regions: left out, not guessed.
 */
const REGIONAL_HOSTED_ZONES: Record<string, string> = { 'us-east-1': 'Z1UJRXOUMOOFQ8', 'us-west-2': 'Z2OJLYMUO9EFXC' };

const certificateFields = {
  certificateName: z.string().optional(),
  certificateBody: z.string().optional(),
  certificatePrivateKey: z.string().optional(),
  certificateChain: z.string().optional(),
  certificateArn: z.string().optional(),
  regionalCertificateName: z.string().optional(),
  regionalCertificateArn: z.string().optional(),
};

const v1DomainInput = z.object({
  domainName: z.string().optional(),
  ...certificateFields,
  endpointConfiguration: z.object({ types: z.array(z.enum(['EDGE', 'REGIONAL', 'PRIVATE'])).optional(), vpcEndpointIds: z.array(z.string()).optional() }).optional(),
  securityPolicy: z.enum(['TLS_1_0', 'TLS_1_2']).optional(),
  tags: stringMap.optional(),
});

const v2DomainInput = z.object({
  domainName: z.string().optional(),
  domainNameConfigurations: z
    .array(
      z.object({
        certificateArn: z.string().optional(),
        certificateName: z.string().optional(),
        endpointType: z.enum(['REGIONAL', 'EDGE']).optional(),
        securityPolicy: z.enum(['TLS_1_0', 'TLS_1_2']).optional(),
      }),
    )
    .optional(),
  tags: stringMap.optional(),
});

const basePathMappingInput = z.object({ basePath: z.string().optional(), restApiId: z.string().optional(), stage: z.string().optional() });
const apiMappingInput = z.object({ apiId: z.string().optional(), apiMappingKey: z.string().optional(), stage: z.string().optional() });

/** Where an API id and its stages are looked up: REST and HTTP APIs share the id namespace. */
export interface DomainApiLookup {
  kindOf(apiId: string): 'rest' | 'http' | undefined;
  stageExists(apiId: string, stage: string): boolean;
}

/** A domain's mappings, longest key first: the order the data plane tries them in. */
export interface DomainRoute {
  domainName: string;
  mappings: DomainMapping[];
}

const NO_DOMAIN = 'Invalid domain name identifier specified';
// Characters allowed in a base path / mapping key segment (AGDG rest-api-mappings, "Restrictions").
const KEY_SEGMENT = /^[A-Za-z0-9$\-_.+!*'()]+$/;

/**
 * Custom domain names, with base path mappings (v1) and API mappings (v2) as two views of one list per domain: AWS
 * keeps one domain resource that either API manages, and a v2 mapping may point at a REST API.
 */
export class DomainNameService {
  constructor(
    private readonly store: Store,
    private readonly events: ControlEvents,
    private readonly region: string,
    private readonly apis: DomainApiLookup,
  ) {}

  private get db(): Pick<Store, 'prepare' | 'freshId'> {
    return this.store;
  }

  private write<T>(fn: () => T): T {
    const r = this.store.tx(fn);
    this.events.emit({ kind: 'domains' });
    return r;
  }

  // ---- domain names ----------------------------------------------------------------------------------------

  /** CreateDomainName (v1): EDGE unless endpointConfiguration says REGIONAL. */
  createDomainName(input: unknown): DomainName {
    const v = parseInput(v1DomainInput, input, 'createDomainNameInput');
    const name = checkDomainName(v.domainName);
    const types = v.endpointConfiguration?.types ?? ['EDGE'];
    if (types.length !== 1 || types[0] === 'PRIVATE') {
      throw badRequest(`preflight emulates public custom domain names of one endpoint type, EDGE or REGIONAL; got ${JSON.stringify(types)}`);
    }
    const type = types[0]!;
    if (type === 'REGIONAL') {
      // Real AWS text: anomalyco/sst#4131, DylanAllen/noiiice#6.
      if (v.certificateArn !== undefined) throw badRequest('Cannot import certificates for EDGE while REGIONAL is active.');
      // UNCERTAIN: the REGIONAL wording is inferred from the EDGE one (hashicorp/terraform-provider-aws#3276).
      if (v.regionalCertificateArn === undefined && v.regionalCertificateName === undefined) throw badRequest('A certificate was not provided for the endpoint type REGIONAL.');
    } else if (v.certificateArn === undefined && v.certificateBody === undefined) {
      throw badRequest('A certificate was not provided for the endpoint type EDGE.');
    }
    const domain: DomainName = {
      domainName: name,
      endpointType: type,
      certificateUploadDate: nowSeconds(),
      securityPolicy: v.securityPolicy ?? 'TLS_1_2',
    };
    if (type === 'EDGE') {
      if (v.certificateName !== undefined) domain.certificateName = v.certificateName;
      if (v.certificateArn !== undefined) domain.certificateArn = v.certificateArn;
    } else {
      if (v.regionalCertificateName !== undefined) domain.regionalCertificateName = v.regionalCertificateName;
      if (v.regionalCertificateArn !== undefined) domain.regionalCertificateArn = v.regionalCertificateArn;
    }
    if (v.tags && Object.keys(v.tags).length > 0) domain.tags = v.tags;
    // The v1 API answers a taken name with 400 (real AWS text, Zappa docs and Laravel Vapor).
    return this.insert(domain, () => badRequest('The domain name you provided already exists.'));
  }

  /** CreateDomainName (v2): REGIONAL only. */
  createDomainNameV2(input: unknown): DomainName {
    const v = parseInput(v2DomainInput, input, 'CreateDomainNameInput');
    const name = checkDomainName(v.domainName);
    const config = v.domainNameConfigurations?.[0] ?? {};
    if (config.endpointType === 'EDGE') throw onlyRegionalV2();
    if (config.certificateArn === undefined) throw badRequest('A certificate was not provided for the endpoint type REGIONAL.');
    const domain: DomainName = {
      domainName: name,
      endpointType: 'REGIONAL',
      regionalCertificateArn: config.certificateArn,
      certificateUploadDate: nowSeconds(),
      securityPolicy: config.securityPolicy ?? 'TLS_1_2',
    };
    if (config.certificateName !== undefined) domain.regionalCertificateName = config.certificateName;
    if (v.tags && Object.keys(v.tags).length > 0) domain.tags = v.tags;
    // v2 answers a taken name with 409 and the v1 text (ACK apigatewayv2 controller docs quoting AWS).
    return this.insert(domain, () => conflict('The domain name you provided already exists.'));
  }

  private insert(domain: DomainName, taken: () => AwsError): DomainName {
    return this.write(() => {
      if (this.find(domain.domainName)) throw taken();
      if (domain.endpointType === 'EDGE') {
        // "d" and 13 lower-case alphanumerics (real names in AGDG apigateway-regional-api-custom-domain-migrate).
        domain.distributionDomainName = `d${randomId(13)}.cloudfront.net`;
        domain.distributionHostedZoneId = CLOUDFRONT_HOSTED_ZONE;
      } else {
        domain.regionalDomainName = `d-${randomId(10)}.execute-api.${this.region}.amazonaws.com`;
        const zone = REGIONAL_HOSTED_ZONES[this.region];
        if (zone) domain.regionalHostedZoneId = zone;
      }
      this.db.prepare('INSERT INTO domain_names (name, doc) VALUES (?, ?)').run(domain.domainName, JSON.stringify(domain));
      return domain;
    });
  }

  find(name: string): DomainName | undefined {
    const row = this.db.prepare('SELECT doc FROM domain_names WHERE name = ?').get(name.toLowerCase()) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as DomainName) : undefined;
  }

  getDomainName(name: string): DomainName {
    const d = this.find(name);
    // Real AWS text: serverless-domain-manager#210 (GetDomainName), ekristen/aws-nuke#533 (DeleteDomainName).
    if (!d) throw notFound(NO_DOMAIN);
    return d;
  }

  /** A domain through the v2 API, which manages REGIONAL ones only. */
  getDomainNameV2(name: string): DomainName {
    const d = this.getDomainName(name);
    if (d.endpointType !== 'REGIONAL') throw onlyRegionalV2();
    return d;
  }

  /** GetDomainNames (v2): the REGIONAL ones, the only kind v2 manages. */
  getDomainNamesV2(): DomainName[] {
    return this.getDomainNames().items.filter((d) => d.endpointType === 'REGIONAL');
  }

  getDomainNames(opts: { position?: string; limit?: number } = {}): Page<DomainName> {
    const rows = this.db.prepare('SELECT doc FROM domain_names ORDER BY rowid').all() as { doc: string }[];
    return paginate(
      rows.map((r) => JSON.parse(r.doc) as DomainName),
      opts,
    );
  }

  /** UpdateDomainName (v1): the certificate and TLS settings (AGDG apigateway-custom-domain-tls-version, -migrate). */
  updateDomainName(name: string, ops: PatchOperation[]): DomainName {
    return this.write(() => {
      const d = this.getDomainName(name);
      const allowed = ['/certificateName', '/certificateArn', '/regionalCertificateName', '/regionalCertificateArn', '/securityPolicy'];
      for (const op of ops) {
        if (op.op !== 'replace' || !allowed.includes(op.path)) unsupportedPatch(op, allowed);
        const value = requireValue(op);
        if (op.path === '/securityPolicy') {
          if (value !== 'TLS_1_0' && value !== 'TLS_1_2') throw badRequest(`Invalid security policy ${value}: use TLS_1_0 or TLS_1_2`);
          d.securityPolicy = value;
        } else {
          const field = op.path.slice(1) as 'certificateName' | 'certificateArn' | 'regionalCertificateName' | 'regionalCertificateArn';
          const edgeField = field === 'certificateName' || field === 'certificateArn';
          if (edgeField !== (d.endpointType === 'EDGE')) {
            throw badRequest(`${field} belongs to ${edgeField ? 'EDGE' : 'REGIONAL'} domain names; ${d.domainName} is ${d.endpointType}`);
          }
          d[field] = value;
          d.certificateUploadDate = nowSeconds();
        }
      }
      this.db.prepare('UPDATE domain_names SET doc = ? WHERE name = ?').run(JSON.stringify(d), d.domainName);
      return d;
    });
  }

  deleteDomainName(name: string, via: 'v1' | 'v2' = 'v1'): void {
    this.write(() => {
      const d = via === 'v1' ? this.getDomainName(name) : this.getDomainNameV2(name);
      this.db.prepare('DELETE FROM domain_names WHERE name = ?').run(d.domainName);
    });
  }

  // ---- mappings --------------------------------------------------------------------------------------------

  private mappings(domainName: string): DomainMapping[] {
    const rows = this.db.prepare('SELECT doc FROM domain_mappings WHERE domain_name = ? ORDER BY rowid').all(domainName) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as DomainMapping);
  }

  private removeMapping(m: { domainName: string; key: string }): void {
    this.db.prepare('DELETE FROM domain_mappings WHERE domain_name = ? AND mapping_key = ?').run(m.domainName, m.key);
  }

  private saveMapping(m: DomainMapping, previousKey?: string): void {
    if (previousKey !== undefined) this.removeMapping({ domainName: m.domainName, key: previousKey });
    this.db
      .prepare('INSERT INTO domain_mappings (domain_name, mapping_key, id, api_id, doc) VALUES (?, ?, ?, ?, ?)')
      .run(m.domainName, m.key, m.id, m.apiId, JSON.stringify(m));
  }

  private freshMappingId(): string {
    return this.db.freshId('domain_mappings', undefined, () => randomId(10));
  }

  /** A domain's mapping at a key ('' for "(none)"), whichever API made it. */
  findMapping(domainName: string, key: string): DomainMapping | undefined {
    const row = this.db.prepare('SELECT doc FROM domain_mappings WHERE domain_name = ? AND mapping_key = ?').get(domainName.toLowerCase(), key) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as DomainMapping) : undefined;
  }

  /** The domain an API mapping id belongs to. */
  domainOfMapping(id: string): string | undefined {
    return (this.db.prepare('SELECT domain_name FROM domain_mappings WHERE id = ?').get(id) as { domain_name: string } | undefined)?.domain_name;
  }

  /** Whether any domain maps to the API (a REST API with mappings cannot be deleted). */
  hasMappingsTo(apiId: string): boolean {
    return this.db.prepare('SELECT 1 FROM domain_mappings WHERE api_id = ?').get(apiId) !== undefined;
  }

  createBasePathMapping(domainName: string, input: unknown): BasePathMapping {
    const v = parseInput(basePathMappingInput, input, 'createBasePathMappingInput');
    return this.write(() => {
      const d = this.getDomainName(domainName);
      const m: DomainMapping = { domainName: d.domainName, key: v1Key(v.basePath), id: this.freshMappingId(), apiId: this.v1Api(v.restApiId) };
      const stage = this.v1Stage(m.apiId, v.stage);
      if (stage !== undefined) m.stage = stage;
      this.refuseTakenKey(m, 'Base path already exists for this domain name');
      this.saveMapping(m);
      return basePathView(m);
    });
  }

  getBasePathMappings(domainName: string, opts: { position?: string; limit?: number } = {}): Page<BasePathMapping> {
    return paginate(this.mappings(this.getDomainName(domainName).domainName).map(basePathView), opts);
  }

  getBasePathMapping(domainName: string, basePath: string): BasePathMapping {
    return basePathView(this.basePathMapping(domainName, basePath));
  }

  /** UpdateBasePathMapping: /basePath, /restapiId (AWS's spelling, as moto and LocalStack accept it), /stage. */
  updateBasePathMapping(domainName: string, basePath: string, ops: PatchOperation[]): BasePathMapping {
    return this.write(() => {
      const m = this.basePathMapping(domainName, basePath);
      const previousKey = m.key;
      const allowed = ['/basePath', '/restapiId', '/stage'];
      for (const op of ops) {
        if (op.op !== 'replace' || !allowed.includes(op.path)) unsupportedPatch(op, allowed);
        const value = requireValue(op);
        if (op.path === '/basePath') m.key = v1Key(value);
        else if (op.path === '/restapiId') m.apiId = this.v1Api(value);
        else {
          const stage = this.v1Stage(m.apiId, value);
          if (stage === undefined) delete m.stage;
          else m.stage = stage;
        }
      }
      if (m.stage !== undefined && !this.apis.stageExists(m.apiId, m.stage)) throw badRequest('Invalid stage identifier specified');
      if (m.key !== previousKey) this.refuseTakenKey(m, 'Base path already exists for this domain name');
      this.saveMapping(m, previousKey);
      return basePathView(m);
    });
  }

  deleteBasePathMapping(domainName: string, basePath: string): void {
    this.write(() => {
      this.removeMapping(this.basePathMapping(domainName, basePath));
    });
  }

  private basePathMapping(domainName: string, basePath: string): DomainMapping {
    const d = this.getDomainName(domainName);
    const m = this.findMapping(d.domainName, basePath === '(none)' ? '' : basePath);
    // Real AWS text: serverless-domain-manager#613.
    if (!m) throw notFound('Invalid base path mapping identifier specified');
    return m;
  }

  /** A v1 mapping targets a REST API (real AWS text for an unknown one: Zappa docs, CreateBasePathMapping). */
  private v1Api(restApiId: string | undefined): string {
    if (!restApiId || this.apis.kindOf(restApiId) !== 'rest') throw badRequest('Invalid REST API identifier specified');
    return restApiId;
  }

  /** A named stage must exist (real AWS text: serverless/serverless#4029); "(none)" or none: the caller names it. */
  private v1Stage(apiId: string, stage: string | undefined): string | undefined {
    if (stage === undefined || stage === '' || stage === '(none)') return undefined;
    if (!this.apis.stageExists(apiId, stage)) throw badRequest('Invalid stage identifier specified');
    return stage;
  }

  private refuseTakenKey(m: DomainMapping, message: string): void {
    // Real AWS texts: serverless-domain-manager#214 (v1), aws-cdk#22660 (v2).
    if (this.findMapping(m.domainName, m.key)) throw conflict(message);
  }

  createApiMapping(domainName: string, input: unknown): ApiMapping {
    const v = parseInput(apiMappingInput, input, 'CreateApiMappingInput');
    return this.write(() => {
      const d = this.getDomainNameV2(domainName);
      const m: DomainMapping = { domainName: d.domainName, key: v2Key(v.apiMappingKey), id: this.freshMappingId(), apiId: this.v2Api(v.apiId), stage: '' };
      m.stage = this.v2Stage(m.apiId, v.stage);
      this.refuseTakenKey(m, 'ApiMapping key already exists for this domain name');
      this.saveMapping(m);
      return apiMappingView(m);
    });
  }

  getApiMappings(domainName: string): ApiMapping[] {
    return this.mappings(this.getDomainNameV2(domainName).domainName).map(apiMappingView);
  }

  getApiMapping(domainName: string, id: string): ApiMapping {
    return apiMappingView(this.apiMapping(domainName, id));
  }

  updateApiMapping(domainName: string, id: string, input: unknown): ApiMapping {
    const v = parseInput(apiMappingInput, input, 'UpdateApiMappingInput');
    return this.write(() => {
      const m = this.apiMapping(domainName, id);
      const previousKey = m.key;
      if (v.apiId !== undefined) m.apiId = this.v2Api(v.apiId);
      if (v.apiMappingKey !== undefined) m.key = v2Key(v.apiMappingKey);
      if (v.stage !== undefined || v.apiId !== undefined) m.stage = this.v2Stage(m.apiId, v.stage ?? m.stage);
      if (m.key !== previousKey) this.refuseTakenKey(m, 'ApiMapping key already exists for this domain name');
      this.saveMapping(m, previousKey);
      return apiMappingView(m);
    });
  }

  deleteApiMapping(domainName: string, id: string): void {
    this.write(() => {
      this.removeMapping(this.apiMapping(domainName, id));
    });
  }

  private apiMapping(domainName: string, id: string): DomainMapping {
    const d = this.getDomainNameV2(domainName);
    const m = this.mappings(d.domainName).find((x) => x.id === id);
    // UNCERTAIN: no recorded AWS text for an unknown mapping id; the wording follows the other "Invalid ... identifier".
    if (!m) throw notFound('Invalid API mapping identifier specified');
    return m;
  }

  /** A v2 mapping targets an HTTP or a REST API (AGDG rest-api-mappings; terraform-provider-aws#21986). */
  private v2Api(apiId: string | undefined): string {
    if (!apiId || this.apis.kindOf(apiId) === undefined) throw notFound(`Invalid API identifier specified ${apiId ?? ''}`.trimEnd());
    return apiId;
  }

  private v2Stage(apiId: string, stage: string | undefined): string {
    // Real AWS text from AmazonApiGatewayV2: aws-cdk#8983.
    if (!stage || !this.apis.stageExists(apiId, stage)) throw badRequest('Invalid stage identifier specified');
    return stage;
  }

  /** Every domain with its mappings, longest key first: what the data plane routes by. */
  routes(): Map<string, DomainRoute> {
    const out = new Map<string, DomainRoute>();
    const names = this.db.prepare('SELECT name FROM domain_names').all() as { name: string }[];
    for (const { name } of names) out.set(name, { domainName: name, mappings: [] });
    const rows = this.db.prepare('SELECT doc FROM domain_mappings').all() as { doc: string }[];
    for (const r of rows) {
      const m = JSON.parse(r.doc) as DomainMapping;
      out.get(m.domainName)?.mappings.push(m);
    }
    for (const route of out.values()) route.mappings.sort((a, b) => b.key.length - a.key.length);
    return out;
  }

  // ---- wire views ------------------------------------------------------------------------------------------

  /** GetDomainName (v1): certificate*, distribution* for EDGE; regional* for REGIONAL (AWS CLI examples). */
  static v1View(d: DomainName): DomainNameView {
    const { endpointType, ...fields } = d;
    return { ...fields, endpointConfiguration: { types: [endpointType] }, domainNameStatus: 'AVAILABLE' };
  }

  /** GetDomainName (v2): lower-camel on the wire (AWS CLI example apigatewayv2 create-domain-name). */
  static v2View(d: DomainName): Record<string, unknown> {
    const config: Record<string, unknown> = {
      apiGatewayDomainName: d.regionalDomainName,
      certificateArn: d.regionalCertificateArn,
      ...(d.regionalCertificateName !== undefined ? { certificateName: d.regionalCertificateName } : {}),
      certificateUploadDate: new Date(d.certificateUploadDate * 1000).toISOString(),
      domainNameStatus: 'AVAILABLE',
      endpointType: 'REGIONAL',
      ...(d.regionalHostedZoneId !== undefined ? { hostedZoneId: d.regionalHostedZoneId } : {}),
      securityPolicy: d.securityPolicy,
    };
    return { apiMappingSelectionExpression: '$request.basepath', domainName: d.domainName, domainNameConfigurations: [config], tags: d.tags ?? {} };
  }
}

function checkDomainName(name: string | undefined): string {
  // Peer text (moto InvalidDomainName, LocalStack): AWS's own wording for a missing name is not recorded.
  if (!name) throw badRequest('No Domain Name specified');
  const lower = name.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.execute-api.localhost') || /^[\d.]+$/.test(lower) || lower.includes(':')) {
    throw badRequest(
      `${name} is a name preflight answers itself (its control plane, console or execute-api hosts); choose another, e.g. api.myapp.localhost, which Chromium resolves to this machine`,
    );
  }
  return lower;
}

/** The v1 key of a base path: "(none)" or empty is the root; no "/" (real AWS text: terraform-provider-aws#21986). */
function v1Key(basePath: string | undefined): string {
  if (basePath === undefined || basePath === '' || basePath === '(none)') return '';
  if (basePath.includes('/')) {
    throw badRequest("API Gateway V1 doesn't support the slash character (/) in base path mappings. To create a multi-level base path mapping, use API Gateway V2.");
  }
  checkKeySegments(basePath);
  return basePath;
}

/** A v2 key may have several levels, "orders/v2/items" (AGDG rest-api-mappings). */
function v2Key(key: string | undefined): string {
  if (key === undefined || key === '') return '';
  // Peer texts (moto apigatewayv2): AWS's own wording is not recorded.
  if (key.startsWith('/') || key.includes('//')) throw badRequest("API mapping key should not start with a '/' or have consecutive '/'s.");
  if (key.endsWith('/')) throw badRequest("API mapping key should not end with a '/'.");
  checkKeySegments(key);
  return key;
}

function checkKeySegments(key: string): void {
  // Real AWS text (aws-cdk#8983), from before "/" was allowed; max 300 characters (AGDG rest-api-mappings).
  if (key.length > 300 || !key.split('/').every((s) => KEY_SEGMENT.test(s))) {
    throw badRequest("An ApiMapping key may contain only letters, numbers and one of $-_.+!*'(),");
  }
}

function onlyRegionalV2(): AwsError {
  // Real AWS text (serverless-domain-manager#582); UNCERTAIN: its status and type, taken as 400 BadRequestException.
  return badRequest(
    'Only REGIONAL domain names can be managed through the API Gateway V2 API. For EDGE domain names, please use the API Gateway V1 API. Also note that only REST APIs can be attached to EDGE domain names.',
  );
}

function basePathView(m: DomainMapping): BasePathMapping {
  const view: BasePathMapping = { basePath: m.key === '' ? '(none)' : m.key, restApiId: m.apiId };
  if (m.stage !== undefined) view.stage = m.stage;
  return view;
}

function apiMappingView(m: DomainMapping): ApiMapping {
  return { apiId: m.apiId, apiMappingId: m.id, apiMappingKey: m.key, stage: m.stage ?? '' };
}

