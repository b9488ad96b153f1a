import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DeployState } from './cfn/context.js';

/**
 * What each template created, kept beside the state database so that starting again with the same template and
 * state directory updates those APIs and functions (same ids, same URLs) instead of adding copies.
 */
export class IacStateFile {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(resolve(dataDir), 'iac-state.json');
  }

  private readAll(): Record<string, DeployState> {
    if (!existsSync(this.file)) return {};
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, DeployState>;
    } catch {
      return {};
    }
  }

  get(templatePath: string): DeployState | undefined {
    return this.readAll()[resolve(templatePath)];
  }

  set(templatePath: string, state: DeployState): void {
    const all = this.readAll();
    all[resolve(templatePath)] = state;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify(all, null, 2));
  }
}
