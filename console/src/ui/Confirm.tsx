import { useState } from 'react';
import { Dialog } from './Dialog.js';
import { ErrorBox } from './Field.js';
import { errorText } from '../lib/data.js';

/** "Delete X?" with the server's answer shown in place when it refuses. */
export function Confirm({ title, message, action, onDone, onClose }: { title: string; message: string; action: () => Promise<unknown>; onDone: () => void; onClose: () => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={title} onClose={onClose}>
      <p>{message}</p>
      <ErrorBox error={error} />
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await action();
              onDone();
            } catch (e) {
              setError(errorText(e));
              setBusy(false);
            }
          }}
        >
          Delete
        </button>
      </div>
    </Dialog>
  );
}
