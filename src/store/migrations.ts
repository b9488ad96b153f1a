/**
 * Schema migrations, applied in order; index + 1 is the schema version kept in PRAGMA user_version.
 * Never edit a released migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE rest_apis (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
  );
  CREATE TABLE resources (
    api_id TEXT NOT NULL REFERENCES rest_apis(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    parent_id TEXT,
    path_part TEXT,
    PRIMARY KEY (api_id, id)
  );
  CREATE UNIQUE INDEX resources_sibling_names ON resources(api_id, parent_id, path_part);
  CREATE TABLE methods (
    api_id TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    http_method TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (api_id, resource_id, http_method),
    FOREIGN KEY (api_id, resource_id) REFERENCES resources(api_id, id) ON DELETE CASCADE
  );
  CREATE TABLE gateway_responses (
    api_id TEXT NOT NULL REFERENCES rest_apis(id) ON DELETE CASCADE,
    response_type TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (api_id, response_type)
  );
  CREATE TABLE deployments (
    api_id TEXT NOT NULL REFERENCES rest_apis(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    snapshot_hash TEXT NOT NULL,
    PRIMARY KEY (api_id, id)
  );
  CREATE TABLE stages (
    api_id TEXT NOT NULL REFERENCES rest_apis(id) ON DELETE CASCADE,
    stage_name TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (api_id, stage_name),
    FOREIGN KEY (api_id, deployment_id) REFERENCES deployments(api_id, id)
  );
  CREATE TABLE functions (
    name TEXT PRIMARY KEY,
    doc TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE http_apis (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
  );
  CREATE TABLE http_routes (
    api_id TEXT NOT NULL REFERENCES http_apis(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    route_key TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (api_id, id)
  );
  CREATE UNIQUE INDEX http_routes_key ON http_routes(api_id, route_key);
  CREATE TABLE http_integrations (
    api_id TEXT NOT NULL REFERENCES http_apis(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (api_id, id)
  );
  CREATE TABLE http_authorizers (
    api_id TEXT NOT NULL REFERENCES http_apis(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (api_id, id)
  );
  CREATE TABLE http_deployments (
    api_id TEXT NOT NULL REFERENCES http_apis(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    snapshot_hash TEXT NOT NULL,
    PRIMARY KEY (api_id, id)
  );
  CREATE TABLE http_stages (
    api_id TEXT NOT NULL REFERENCES http_apis(id) ON DELETE CASCADE,
    stage_name TEXT NOT NULL,
    deployment_id TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (api_id, stage_name)
  );
  -- The built-in token issuer's signing key, so tokens minted by the CLI verify in a running server.
  CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    private_jwk TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE rest_authorizers (
    api_id TEXT NOT NULL REFERENCES rest_apis(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (api_id, id)
  );
  CREATE TABLE request_validators (
    api_id TEXT NOT NULL REFERENCES rest_apis(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (api_id, id)
  );
  CREATE TABLE models (
    api_id TEXT NOT NULL REFERENCES rest_apis(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (api_id, name)
  );
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    value TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
  );
  CREATE TABLE usage_plans (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
  );
  CREATE TABLE usage_plan_keys (
    plan_id TEXT NOT NULL REFERENCES usage_plans(id) ON DELETE CASCADE,
    key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    PRIMARY KEY (plan_id, key_id)
  );
  -- Quota use per plan and key and period, so a restart does not hand out a fresh quota.
  CREATE TABLE usage_counts (
    plan_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    period_start INTEGER NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (plan_id, key_id, period_start)
  );
  `,
  `
  -- Custom domain names: one resource whether made through API Gateway v1 or v2, as on AWS.
  CREATE TABLE domain_names (
    name TEXT PRIMARY KEY,
    doc TEXT NOT NULL
  );
  -- Base path mappings (v1) and API mappings (v2) are one list per domain; mapping_key '' is "(none)".
  CREATE TABLE domain_mappings (
    domain_name TEXT NOT NULL REFERENCES domain_names(name) ON DELETE CASCADE,
    mapping_key TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    api_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (domain_name, mapping_key)
  );
  CREATE INDEX domain_mappings_api ON domain_mappings(api_id);
  `,
];
