import { useState } from 'react';
import { consoleApi } from '../../lib/api.js';
import { Field } from '../../ui/Field.js';

export interface TemplateEntry {
  contentType: string;
  body: string;
}

export function toEntries(templates: Record<string, string | null> | undefined): TemplateEntry[] {
  return Object.entries(templates ?? {}).map(([contentType, body]) => ({ contentType, body: body ?? '' }));
}

export function toRecord(entries: TemplateEntry[]): Record<string, string> {
  return Object.fromEntries(entries.filter((e) => e.contentType.trim()).map((e) => [e.contentType.trim(), e.body]));
}

/**
 * Parses each template with preflight's Velocity engine (the one the data plane runs). API Gateway stores templates
 * it cannot run, and the stage then answers 500: the console says so at Save time, next to the template.
 */
export async function checkTemplates(entries: TemplateEntry[]): Promise<Record<number, string>> {
  const errors: Record<number, string> = {};
  await Promise.all(
    entries.map(async (e, i) => {
      if (!e.body.trim()) return;
      const r = await consoleApi.checkTemplate(e.body);
      if (!r.ok) errors[i] = `This template does not parse: ${r.message}. API Gateway would accept it, and the method would then answer 500 Internal server error.`;
    }),
  );
  return errors;
}

/**
 * checkTemplates at Save time for an editor: the first Save that finds problems stops to show them, the next one
 * saves anyway (its button says so).
 */
export function useTemplateCheck(): {
  errors: Record<number, string>;
  saveLabel: string;
  /** Checks the templates; true when this Save should stop and show what was found. */
  stopsSave: (entries: TemplateEntry[]) => Promise<boolean>;
  clear: () => void;
} {
  const [errors, setErrors] = useState<Record<number, string>>({});
  const [acknowledged, setAcknowledged] = useState(false);
  return {
    errors,
    saveLabel: Object.keys(errors).length && acknowledged ? 'Save anyway' : 'Save',
    stopsSave: async (entries) => {
      const found = await checkTemplates(entries).catch(() => ({}));
      setErrors(found);
      if (Object.keys(found).length && !acknowledged) {
        setAcknowledged(true);
        return true;
      }
      return false;
    },
    clear: () => setErrors({}),
  };
}

/** Mapping templates by content type, each in its own labelled editor with its error beside it. */
export function TemplateList({ entries, onChange, errors, label }: { entries: TemplateEntry[]; onChange: (e: TemplateEntry[]) => void; errors: Record<number, string>; label: string }) {
  const set = (i: number, patch: Partial<TemplateEntry>) => onChange(entries.map((e, j) => (j === i ? { ...e, ...patch } : e)));
  return (
    <fieldset className="templates">
      <legend>{label}</legend>
      {entries.length === 0 ? <p className="muted small">No mapping templates.</p> : null}
      {entries.map((e, i) => (
        <div key={i} className="template">
          <Field label={`Content type ${i + 1}`} inline>
            <input value={e.contentType} onChange={(ev) => set(i, { contentType: ev.target.value })} autoComplete="off" />
          </Field>
          <Field label={`Template body for ${e.contentType || 'content type ' + (i + 1)}`} error={errors[i]}>
            <textarea rows={5} value={e.body} onChange={(ev) => set(i, { body: ev.target.value })} spellCheck={false} className="code" />
          </Field>
          <button type="button" className="small" onClick={() => onChange(entries.filter((_, j) => j !== i))} aria-label={`Remove template ${e.contentType || i + 1}`}>
            Remove template
          </button>
        </div>
      ))}
      <button type="button" className="small" onClick={() => onChange([...entries, { contentType: entries.length ? '' : 'application/json', body: '' }])}>
        Add mapping template
      </button>
    </fieldset>
  );
}
