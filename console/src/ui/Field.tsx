import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from 'react';

/**
 * A labelled form control with its hint and its error right beside it: the label names the control, the error is
 * announced (role=alert) and tied to it with aria-describedby and aria-invalid.
 */
export function Field({ label, error, hint, children, inline }: { label: ReactNode; error?: string | undefined; hint?: ReactNode; children: ReactElement<Record<string, unknown>>; inline?: boolean }) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  const control = isValidElement(children)
    ? cloneElement(children, { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })
    : children;
  return (
    <div className={`field${inline ? ' inline' : ''}${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {control}
      {hint ? (
        <div className="hint" id={hintId}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="error" id={errorId} role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

export function Check({ label, checked, onChange, disabled, hint, error }: { label: ReactNode; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean; hint?: string; error?: string | undefined }) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="check">
      <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} aria-describedby={describedBy} aria-invalid={error ? true : undefined} />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <div className="error" id={`${id}-error`} role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

/** An error that belongs to the whole form (or a whole view), not to one field. */
export function ErrorBox({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <div className="error-box" role="alert">
      {error}
    </div>
  );
}
