/**
 * How a child-process environment starts, per runtime family: Python functions run our standard-library bootstrap
 * (python/runtime/bootstrap.py) under a local interpreter; `provided.*` functions run their own `bootstrap`
 * executable from the code directory, as Lambda does (it also looks in /opt for layers, which do not exist here).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, openSync, readSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeInfo } from './runtimes.js';

export interface Launch {
  command: string;
  args: string[];
  /** Extra environment variables for this family. */
  env: Record<string, string>;
  /** Give the process a framed log pipe on fd 3 (_LAMBDA_TELEMETRY_LOG_FD), as Lambda does for its managed runtimes. */
  telemetryFd: boolean;
  /** The local language the function runs on, for the version warning. */
  local?: { name: string; version: string };
}

/** Why an environment cannot start. `entrypoint` is AWS's Runtime.InvalidEntrypoint; `unavailable` is local only. */
export type LaunchFailure = { kind: 'entrypoint'; reason: string; hint: string } | { kind: 'unavailable'; message: string };

export const PYTHON_BOOTSTRAP = fileURLToPath(new URL('../../python/runtime/bootstrap.py', import.meta.url));

interface PythonInterpreter {
  executable: string;
  version: string;
}

const pythonCache = new Map<string, Promise<PythonInterpreter | undefined>>();

function probe(command: string): Promise<PythonInterpreter | undefined> {
  return new Promise((resolve) => {
    execFile(
      command,
      ['-c', 'import sys; print(sys.executable); print("%d.%d.%d" % sys.version_info[:3])'],
      { timeout: 10_000, windowsHide: true },
      (err, stdout) => {
        const [executable, version] = String(stdout).trim().split('\n');
        if (err || !executable || !version || !/^3\.(\d+)\./.test(version) || Number(/^3\.(\d+)/.exec(version)![1]) < 8) {
          resolve(undefined);
          return;
        }
        resolve({ executable, version });
      },
    );
  });
}

/**
 * The interpreter for a pythonX.Y function: PREFLIGHT_PYTHON when set, else `pythonX.Y` if this machine has it,
 * else `python3`. The real executable is resolved once (shims such as pyenv's cost tens of milliseconds per start).
 */
export function findPython(runtime: string): Promise<PythonInterpreter | undefined> {
  const override = process.env['PREFLIGHT_PYTHON'];
  const key = `${override ?? ''}|${runtime}`;
  let found = pythonCache.get(key);
  if (!found) {
    const version = runtimeInfo(runtime).version;
    const candidates = override ? [override] : [...(version ? [`python${version}`] : []), 'python3'];
    // Probed side by side (a missing pythonX.Y behind a pyenv shim takes most of a second to say so); the first
    // candidate that works wins.
    found = Promise.all(candidates.map(probe)).then((found) => found.find((i) => i !== undefined));
    pythonCache.set(key, found);
  }
  return found;
}

async function pythonLaunch(runtime: string): Promise<Launch | LaunchFailure> {
  const python = await findPython(runtime);
  if (!python) {
    return {
      kind: 'unavailable',
      message:
        `No Python 3.8+ interpreter found to run ${runtime} locally (tried ${process.env['PREFLIGHT_PYTHON'] ? 'PREFLIGHT_PYTHON' : `python${runtimeInfo(runtime).version ?? ''} and python3`} on PATH). ` +
        'Fix: install Python 3, or set PREFLIGHT_PYTHON to the interpreter to use.',
    };
  }
  // -B: Lambda's task root is read-only, so no __pycache__ appears there; nor should it in the user's directory.
  return { command: python.executable, args: ['-B', PYTHON_BOOTSTRAP], env: {}, telemetryFd: true, local: { name: 'Python', version: python.version } };
}

/**
 * Checks what Lambda's fork/exec would refuse, with Go's error texts. Node's spawn would run a script without a
 * shebang through /bin/sh, which Lambda does not do ("exec format error").
 */
function providedLaunch(codeDirectory: string): Launch | LaunchFailure {
  const bootstrap = join(codeDirectory, 'bootstrap');
  let isFile = false;
  try {
    isFile = statSync(bootstrap).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) {
    return {
      kind: 'entrypoint',
      reason: `Couldn't find valid bootstrap(s): [${bootstrap}]`,
      hint: `a provided.* function needs an executable file named "bootstrap" at the root of its code (${codeDirectory})`,
    };
  }
  try {
    accessSync(bootstrap, constants.X_OK);
  } catch {
    return {
      kind: 'entrypoint',
      reason: `fork/exec ${bootstrap}: permission denied`,
      hint: `make it executable (chmod +x bootstrap) before zipping; zips made on Windows lose the executable bit`,
    };
  }
  const head = Buffer.alloc(4);
  const fd = openSync(bootstrap, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  const script = head[0] === 0x23 && head[1] === 0x21; // "#!"
  const elf = head.readUInt32BE(0) === 0x7f454c46; // "\x7fELF"
  if (!script && !elf) {
    return {
      kind: 'entrypoint',
      reason: `fork/exec ${bootstrap}: exec format error`,
      hint: 'bootstrap must be a Linux executable or a script starting with a #! line (e.g. #!/bin/sh)',
    };
  }
  return { command: bootstrap, args: [], env: {}, telemetryFd: false };
}

export async function launchFor(runtime: string, codeDirectory: string): Promise<Launch | LaunchFailure> {
  const family = runtimeInfo(runtime).family;
  if (family === 'python') return pythonLaunch(runtime);
  if (family === 'provided') return providedLaunch(codeDirectory);
  return { kind: 'unavailable', message: `${runtime} functions run in worker threads, not child processes` };
}

export function isFailure(l: Launch | LaunchFailure): l is LaunchFailure {
  return 'kind' in l;
}
