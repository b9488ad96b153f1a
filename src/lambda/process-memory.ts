/**
 * Memory of a runtime process and its children, read from Linux's /proc. Lambda counts everything in the sandbox
 * against the function's memory size and reports the high-water mark as "Max Memory Used"; a tree's resident set
 * is the closest local measure. Elsewhere (no /proc) nothing is measured and only the address-space limit applies.
 */
import { readFileSync } from 'node:fs';

export const CAN_MEASURE = process.platform === 'linux';

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const at = status.indexOf(`${field}:`);
    if (at < 0) return 0;
    return Number.parseInt(status.slice(at + field.length + 1).trimStart(), 10) || 0;
  } catch {
    return 0; // the process is gone
  }
}

function children(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim();
    return text === '' ? [] : text.split(' ').map(Number);
  } catch {
    return [];
  }
}

/** Resident kilobytes of the process and its descendants (children of its main thread, recursively). */
export function treeRssKb(pid: number): number {
  if (!CAN_MEASURE) return 0;
  let total = 0;
  const stack = [pid];
  for (let seen = 0; stack.length > 0 && seen < 256; seen++) {
    const p = stack.pop()!;
    total += statusField(p, 'VmRSS');
    stack.push(...children(p));
  }
  return total;
}

/** The process's own peak resident kilobytes since it started. */
export function peakRssKb(pid: number): number {
  return CAN_MEASURE ? statusField(pid, 'VmHWM') : 0;
}
