import { relative } from 'node:path';
import { ALL_RULES } from './rules.js';
import type { Finding } from './types.js';

export type LintFormat = 'text' | 'json' | 'sarif';

const where = (f: Finding) => `${f.location.file}:${f.location.line}:${f.location.column}`;

export function formatText(findings: Finding[]): string {
  if (findings.length === 0) return 'no problems found\n';
  const lines = findings.map((f) => `${where(f)}  ${f.severity}  ${f.ruleId} ${f.rule}${f.location.path ? `  (${f.location.path})` : ''}\n  ${f.message}\n  why: ${f.explanation}\n  fix: ${f.fix}`);
  const errors = findings.filter((f) => f.severity === 'error').length;
  return `${lines.join('\n\n')}\n\n${errors} error(s), ${findings.length - errors} warning(s)\n`;
}

export function formatJson(findings: Finding[]): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return `${JSON.stringify({ findings, summary: { errors, warnings: findings.length - errors } }, null, 2)}\n`;
}

/** SARIF 2.1.0 (OASIS sarif-v2.1.0 schema), the format code-scanning tools read. */
export function formatSarif(findings: Finding[], cwd = process.cwd()): string {
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'preflight',
            informationUri: 'https://github.com/preflight',
            rules: ALL_RULES.map((r) => ({ id: r.id, name: r.name, shortDescription: { text: r.description }, defaultConfiguration: { level: r.severity } })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: ALL_RULES.findIndex((r) => r.id === f.ruleId),
          level: f.severity,
          message: { text: `${f.message}. ${f.explanation} Fix: ${f.fix}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: relative(cwd, f.location.file).split('\\').join('/') || f.location.file }, region: { startLine: f.location.line, startColumn: f.location.column } } }],
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
