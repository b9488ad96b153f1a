/** A template that API Gateway's Velocity could not parse. line and column are 1-based. */
export class VtlSyntaxError extends Error {
  override readonly name = 'VtlSyntaxError';
  readonly line: number;
  readonly column: number;
  readonly hint: string;

  constructor(what: string, line: number, column: number, hint: string, excerpt = '') {
    super(`${what} at line ${line}, column ${column}. Hint: ${hint}${excerpt ? `\n${excerpt}` : ''}`);
    this.line = line;
    this.column = column;
    this.hint = hint;
  }
}

/**
 * A template that failed while rendering (a Java method threw, an override was set twice, a limit was hit).
 * API Gateway answers such requests with 500 {"message": "Internal server error"}; the message says what the
 * execution log would. line and column are 1-based.
 */
export class VtlRenderError extends Error {
  override readonly name = 'VtlRenderError';
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(line > 0 ? `${message} at line ${line}, column ${column}` : message);
    this.line = line;
    this.column = column;
  }
}

/** The offending source line with a caret under the column. */
export function excerpt(source: string, line: number, column: number): string {
  const text = source.split(/\r\n|\n|\r/)[line - 1];
  if (text === undefined) return '';
  const gutter = String(line);
  return `  ${gutter} | ${text}\n  ${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, column - 1))}^`;
}
