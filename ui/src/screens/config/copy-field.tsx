import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';

/**
 * A value to paste elsewhere: a read-only input (select it and copy by hand, always there) and a
 * Copy button using the Clipboard API; where the browser refuses it, the text is selected and
 * the user is told to press Ctrl+C. With `rows`, a read-only text area that wraps a long URL
 * so all of it shows; `action` is a control beside the Copy button.
 */
export function CopyField({
  id,
  label,
  value,
  help,
  rows,
  action,
}: {
  id: string;
  label: string;
  value: string;
  help?: ComponentChildren;
  rows?: number;
  action?: ComponentChildren;
}) {
  const input = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [outcome, setOutcome] = useState<'copied' | 'manual'>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setOutcome('copied');
    } catch {
      input.current?.focus();
      input.current?.select();
      setOutcome('manual');
    }
  };
  const props = {
    id,
    ref: input,
    class: 'mono',
    readOnly: true,
    value,
    'aria-describedby': help ? `${id}-help` : undefined,
    onFocus: (e: FocusEvent) => (e.currentTarget as HTMLInputElement).select(),
  };
  return (
    <div class="field copy-field">
      <label for={id}>{label}</label>
      <div class="copy-row">
        {rows ? <textarea {...props} rows={rows} spellcheck={false} /> : <input {...props} />}
        <button type="button" class="secondary" onClick={() => void copy()}>
          Copy
        </button>
        {action}
      </div>
      <p class="help" role="status">
        {outcome === 'copied' ? 'Copied to the clipboard.' : outcome === 'manual' ? 'Selected: press Ctrl+C (⌘C on a Mac) to copy.' : ''}
      </p>
      {help && (
        <p id={`${id}-help`} class="help">
          {help}
        </p>
      )}
    </div>
  );
}
