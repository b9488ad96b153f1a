import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { Store } from '../store/db.js';
import { ControlPlane, defaultCodeRoot } from '../control/index.js';
import { isIacError } from '../iac/diagnostics.js';
import { formatJson, formatSarif, formatText } from '../lint/format.js';
import { lintApi, lintFiles, type Finding } from '../lint/index.js';

/** `preflight lint FILE... [--api ID] [--format text|json|sarif]`: exit 0 clean or warnings, 1 errors, 2 unreadable input. */
export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('check SAM/CloudFormation templates, OpenAPI files or a live local API for CORS and security mistakes')
    .argument('[files...]', 'templates or OpenAPI definitions')
    .option('--api <id>', 'lint a live local API (read through the control plane) instead of, or besides, files')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--data <dir>', 'state directory (for --api)').default('.preflight'))
    .action((files: string[], opts: { api?: string; format: 'text' | 'json' | 'sarif'; data: string }) => {
      if (files.length === 0 && !opts.api) {
        console.error('preflight lint: give one or more files, or --api ID');
        process.exitCode = 2;
        return;
      }
      let findings: Finding[];
      try {
        findings = lintFiles(files);
        if (opts.api) {
          const dir = resolve(opts.data);
          const control = new ControlPlane(new Store({ file: join(dir, 'state.db') }), { codeRoot: defaultCodeRoot(dir) });
          try {
            findings.push(...lintApi(control, opts.api));
          } finally {
            control.store.close();
          }
        }
      } catch (e) {
        if (!isIacError(e)) throw e;
        console.error(`preflight lint: ${e.describe()}`);
        process.exitCode = 2;
        return;
      }
      const text = opts.format === 'json' ? formatJson(findings) : opts.format === 'sarif' ? formatSarif(findings) : formatText(findings);
      process.stdout.write(text);
      process.exitCode = findings.some((f) => f.severity === 'error') ? 1 : 0;
    });
}
