/** Where something is in a template: file, 1-based line and column, and the JSON path inside the document. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /** e.g. Resources.ItemsFunction.Properties.Handler */
  path: string;
}

export type Severity = 'error' | 'warning' | 'info';

/** A finding about a template that does not stop loading (unknown resource type, ignored property). */
export interface Diagnostic {
  severity: Severity;
  message: string;
  location?: SourceLocation;
  fix?: string;
}

export function formatLocation(l: SourceLocation): string {
  return `${l.file}:${l.line}:${l.column}${l.path ? ` (${l.path})` : ''}`;
}

/**
 * A template problem the user must fix: what is wrong, where (file:line:column and JSON path) and how to fix it.
 * The CLI prints it as one line plus the fix, never with a stack trace.
 */
export class IacError extends Error {
  constructor(
    readonly problem: string,
    readonly location?: SourceLocation,
    readonly fix?: string,
  ) {
    super(location ? `${formatLocation(location)}: ${problem}` : problem);
    this.name = 'IacError';
  }

  /** The message and, on its own line, the fix. */
  describe(): string {
    return this.fix ? `${this.message}\n  fix: ${this.fix}` : this.message;
  }
}

export function isIacError(e: unknown): e is IacError {
  return e instanceof IacError;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.location ? `${formatLocation(d.location)}: ` : '';
  return `${d.severity}: ${where}${d.message}${d.fix ? `\n  fix: ${d.fix}` : ''}`;
}
