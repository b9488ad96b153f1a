import { parseInput } from '../doctor/input.js';
import { isSameOriginProbe, runDoctor } from '../doctor/live.js';
import { DoctorError, type DoctorReport } from '../doctor/types.js';

/**
 * The one place the console reaches `preflight doctor`: the playground's prediction is the doctor's report for the
 * same request, so the console and the CLI can never disagree. If the doctor's API moves, only this file changes.
 */

export interface PlaygroundRequest {
  url: string;
  origin: string;
  method: string;
  headers: [string, string][];
  credentials: boolean;
  body?: string;
}

export type PlaygroundField = 'url' | 'origin' | 'method' | 'headers' | 'body';

export type Prediction =
  | { kind: 'report'; report: DoctorReport }
  | { kind: 'same-origin'; message: string }
  | { kind: 'invalid'; field: PlaygroundField; message: string }
  | { kind: 'network'; message: string };

const FLAG_FIELDS: Record<string, { field: PlaygroundField; label: string }> = {
  origin: { field: 'origin', label: 'Origin' },
  method: { field: 'method', label: 'Method' },
  header: { field: 'headers', label: 'Header' },
  data: { field: 'body', label: 'Body' },
};

export async function predict(request: PlaygroundRequest): Promise<Prediction> {
  try {
    const { input } = parseInput(request.url, {
      origin: request.origin,
      method: request.method,
      header: request.headers.map(([k, v]) => `${k}: ${v}`),
      credentials: request.credentials,
      data: request.body === '' ? undefined : request.body,
    });
    if (isSameOriginProbe(input)) {
      return { kind: 'same-origin', message: `${input.url} is on the page's own origin ${input.origin}: a same-origin request involves no CORS at all.` };
    }
    return { kind: 'report', report: await runDoctor(input, { timeoutMs: 10_000 }) };
  } catch (e) {
    if (!(e instanceof DoctorError)) throw e;
    if (e.kind === 'network') return { kind: 'network', message: e.message };
    return { kind: 'invalid', ...fieldOf(e.message) };
  }
}

/** The doctor words its usage errors for the CLI (`--origin 'x' has no scheme…`); the form names its fields. */
function fieldOf(message: string): { field: PlaygroundField; message: string } {
  const lead = /^--(\w+)/.exec(message);
  const flag = lead ? FLAG_FIELDS[lead[1]!] : undefined;
  const text = message.replace(/^--(\w+)/, (_, f: string) => FLAG_FIELDS[f]?.label ?? f).replace(/--(origin|method|header|data) /g, '');
  return { field: flag?.field ?? 'url', message: text };
}
