import type { Finding, RuleInfo } from './types.js';

/** The rules, with ids that never change meaning (SARIF consumers and suppressions key on them). */
export const RULES = {
  wildcardWithAuth: { id: 'PF001', name: 'cors-wildcard-origin-with-auth', severity: 'error', description: "Access-Control-Allow-Origin '*' on an API that uses an authorizer, API keys or IAM auth." },
  credentialsWithWildcard: { id: 'PF002', name: 'cors-credentials-with-wildcard-origin', severity: 'error', description: "Access-Control-Allow-Credentials true with Access-Control-Allow-Origin '*'." },
  missingOptions: { id: 'PF003', name: 'rest-resource-without-options', severity: 'error', description: 'A REST resource with methods browsers preflight, but no OPTIONS method.' },
  httpApiLambdaCorsHeaders: { id: 'PF004', name: 'http-api-cors-with-lambda-cors-headers', severity: 'warning', description: 'An HTTP API with a CorsConfiguration whose Lambda also sets CORS headers (API Gateway ignores them).' },
  gatewayResponsesWithoutCors: { id: 'PF005', name: 'gateway-responses-without-cors', severity: 'warning', description: 'CORS enabled and auth used, but DEFAULT_4XX/DEFAULT_5XX gateway responses carry no Access-Control-Allow-Origin.' },
  allowHeadersWildcardAuthorization: { id: 'PF006', name: 'allow-headers-wildcard-with-authorization', severity: 'warning', description: "Access-Control-Allow-Headers '*' while clients send Authorization." },
  insecureOriginInProduction: { id: 'PF007', name: 'insecure-origin-in-production', severity: 'warning', description: 'An http:// or localhost origin allowed by a production stage.' },
  nullOrigin: { id: 'PF008', name: 'null-origin-allowed', severity: 'error', description: "The 'null' origin is allowed." },
  overbroadOrigin: { id: 'PF009', name: 'origin-pattern-over-matches', severity: 'warning', description: 'An origin pattern or check that matches more sites than intended.' },
  adminRole: { id: 'PF010', name: 'lambda-role-not-least-privilege', severity: 'error', description: 'A Lambda role with AdministratorAccess or Action "*" / Resource "*".' },
  handlerMissingCors: { id: 'PF011', name: 'handler-response-without-cors-headers', severity: 'warning', description: 'Handler code returns a response without CORS headers on some paths.' },
} as const satisfies Record<string, RuleInfo>;

export const ALL_RULES: readonly RuleInfo[] = Object.values(RULES);

export function finding(rule: RuleInfo, f: Omit<Finding, 'ruleId' | 'rule' | 'severity'> & { severity?: Finding['severity'] }): Finding {
  return { ruleId: rule.id, rule: rule.name, severity: f.severity ?? rule.severity, message: f.message, explanation: f.explanation, fix: f.fix, location: f.location };
}
