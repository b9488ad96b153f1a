/**
 * Runtime identifiers as AWS names them, and what runs each one on this machine: Node.js functions in worker
 * threads of this process, Python functions under a local interpreter with our bootstrap, `provided.*` functions
 * through their own `bootstrap` executable.
 */

/** The Lambda "Runtime" values CreateFunction accepts here (botocore lambda 2015-03-31 Runtime enum, current ones). */
export const RUNTIMES = [
  'nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x',
  'python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14',
  'provided.al2', 'provided.al2023',
] as const;

export type RuntimeFamily = 'nodejs' | 'python' | 'provided';

export interface RuntimeInfo {
  family: RuntimeFamily;
  /** The language version the identifier promises: `20` for nodejs20.x, `3.12` for python3.12. */
  version: string | undefined;
}

/** Unknown identifiers run as Node.js: the control plane rejects them, so only direct callers of the runtime pass one. */
export function runtimeInfo(runtime: string): RuntimeInfo {
  const node = /^nodejs(\d+)\.x$/.exec(runtime);
  if (node) return { family: 'nodejs', version: node[1] };
  const python = /^python(\d+\.\d+)$/.exec(runtime);
  if (python) return { family: 'python', version: python[1] };
  if (runtime.startsWith('provided')) return { family: 'provided', version: undefined };
  return { family: 'nodejs', version: undefined };
}

/**
 * The one-line warning for a function whose runtime promises another language version than the one running it
 * here, or undefined when they agree. Node.js compares major versions, Python major.minor (3.11 and 3.12 differ in
 * syntax and standard library as much as Node majors do).
 */
export function versionWarning(functionName: string, runtime: string, localName: string, localVersion: string): string | undefined {
  const { version } = runtimeInfo(runtime);
  if (version === undefined) return undefined;
  const parts = version.split('.').length;
  const local = localVersion.split('.').slice(0, parts).join('.');
  if (local === version) return undefined;
  return `function ${functionName} declares ${runtime} but runs on the local ${localName} ${localVersion}: code that depends on the version may behave differently than on AWS`;
}
