import { AwsError } from '../control/errors.js';

/**
 * A write to the state directory failed for a reason outside the request: disk full, read-only file system, I/O
 * error, or the database locked by another process. SQLite rolled the transaction back (every control operation is
 * one transaction), so nothing of the change is stored; the caller gets a clear AWS-shaped error instead of a
 * stack trace, and may retry once the disk is fixed.
 */
export function storageFailure(e: unknown, path: string, stateFile: string): AwsError | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  let why: string | undefined;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') why = 'the disk holding its state is full';
  else if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') why = 'its state directory is read-only';
  else if (code === 'EACCES' || code === 'EPERM') why = 'it may not write to its state directory (permissions)';
  else if (code.startsWith('SQLITE_IOERR') || code === 'EIO') why = 'the disk reported an I/O error';
  else if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) why = 'another process holds a lock on its state';
  else if (code.startsWith('SQLITE_CANTOPEN')) why = 'its state file cannot be opened';
  if (!why) return undefined;
  const message = `preflight could not save this change: ${why} (${code}, ${stateFile}). Nothing was changed; fix the disk and retry.`;
  // Lambda models a service-side failure as ServiceException (500); API Gateway as ServiceUnavailableException (503).
  return /^\/20\d\d-\d\d-\d\d\/functions/.test(path) ? new AwsError(500, 'ServiceException', message) : new AwsError(503, 'ServiceUnavailableException', message);
}
