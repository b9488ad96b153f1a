import type { Severity, SourceLocation } from '../iac/diagnostics.js';

export interface RuleInfo {
  id: string;
  name: string;
  severity: Exclude<Severity, 'info'>;
  /** What the rule checks, for --format sarif and documentation. */
  description: string;
}

export interface Finding {
  ruleId: string;
  rule: string;
  severity: Exclude<Severity, 'info'>;
  message: string;
  /** Why it matters: what the browser or AWS does. */
  explanation: string;
  fix: string;
  location: SourceLocation;
}

/** A REST API as lint sees it: its OpenAPI-shaped definition (SAM expanded), where it is, and its stages. */
export interface LintRestApi {
  name: string;
  definition: Record<string, unknown>;
  locate: (path: (string | number)[]) => SourceLocation;
  stages: string[];
  /** Lambda functions its methods integrate with (local code to scan). */
  functions: LintFunction[];
}

export interface LintHttpApi {
  name: string;
  definition: Record<string, unknown>;
  locate: (path: (string | number)[]) => SourceLocation;
  stages: string[];
  functions: LintFunction[];
}

export interface LintFunction {
  name: string;
  /** Handler source file, when it is local and found. */
  file?: string;
  location: SourceLocation;
}

export interface LintRole {
  name: string;
  managedPolicyArns: unknown[];
  statements: { statement: Record<string, unknown>; location: SourceLocation }[];
  location: SourceLocation;
  /** Functions that use this role. */
  usedBy: string[];
}

export interface LintInput {
  restApis: LintRestApi[];
  httpApis: LintHttpApi[];
  roles: LintRole[];
}
