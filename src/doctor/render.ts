import type { DoctorReport } from './types.js';

export interface Style {
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
}

const plain: Style = { bold: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s, dim: (s) => s };

export function ansiStyle(): Style {
  const wrap = (code: number, reset: number) => (s: string) => `\u001b[${code}m${s}\u001b[${reset}m`;
  return { bold: wrap(1, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), dim: wrap(2, 22) };
}

/** The human-readable report: trace, verdict, Chromium's console line, the cause, the fixes. */
export function renderText(r: DoctorReport, style: Style = plain): string {
  const lines: string[] = [];
  lines.push(style.bold(`${r.request.method} ${r.request.url}`));
  lines.push(`  from origin ${r.request.origin}${r.request.credentials === 'include' ? ', with credentials' : ''}${r.platform !== 'unknown' ? `  [${platformName(r.platform)}]` : ''}`);
  lines.push('');
  for (const s of r.trace) {
    const mark = s.ok ? style.green('✓') : style.red('✗');
    lines.push(`${mark} ${s.question}`);
    lines.push(`    ${style.dim(s.answer)}`);
  }
  lines.push('');
  lines.push(r.verdict === 'allowed' ? style.green(style.bold('Verdict: allowed')) : style.red(style.bold('Verdict: blocked')));
  if (r.chromiumMessage) {
    lines.push('');
    lines.push('Chromium prints:');
    lines.push(`  ${r.chromiumMessage}`);
  }
  if (r.cause) {
    lines.push('');
    lines.push(`${style.bold('Cause')} (${r.cause}): ${r.explanation}`);
  }
  if (r.fixes.length) {
    lines.push('');
    lines.push(style.bold('Fix:'));
    for (const f of r.fixes) {
      lines.push(`  - [${f.target}] ${f.text}`);
      if (f.command) lines.push(`      ${style.dim('$')} ${f.command}`);
    }
  }
  for (const w of r.warnings) {
    lines.push('');
    lines.push(`${style.yellow('Warning')} (${w.id}): ${w.text}`);
    if (w.fix) lines.push(`  - [${w.fix.target}] ${w.fix.text}${w.fix.command ? `\n      $ ${w.fix.command}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

function platformName(kind: DoctorReport['platform']): string {
  switch (kind) {
    case 'aws-rest': return 'API Gateway REST API';
    case 'aws-http': return 'API Gateway HTTP API';
    case 'local-rest': return 'local preflight REST API';
    case 'local-http': return 'local preflight HTTP API';
    default: return 'unknown server';
  }
}
