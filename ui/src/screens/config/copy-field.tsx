import { useRef, useState } from 'preact/hooks';

/**
 * A value to paste elsewhere: a read-only input (select it and copy by hand, always there) and a
 * Copy button using the Clipboard API; where the browser refuses it, the text is selected and
 * the user is told to press Ctrl+C.
 */
export function CopyField({ id, label, value, help }: { id: string; label: string; value: string; help?: string }) {
  const input = useRef<HTMLInputElement>(null);
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
  return (
    <div class="field copy-field">
      <label for={id}>{label}</label>
      <div class="copy-row">
        <input
          id={id}
          ref={input}
          class="mono"
          readOnly
          value={value}
          aria-describedby={help ? `${id}-help` : undefined}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" class="secondary" onClick={() => void copy()}>
          Copy
        </button>
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
