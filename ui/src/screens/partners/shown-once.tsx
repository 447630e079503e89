import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { CopyField } from '../config/copy-field';

/**
 * A secret (a key, a sign-in link) the API answers once: a warning that it will not be shown
 * again, the value with Copy, what to do with it, and a way to put it away. Takes focus so a
 * screen reader announces it.
 */
export function ShownOnce({
  id,
  title,
  label,
  value,
  children,
  onDone,
}: {
  id: string;
  title: string;
  label: string;
  value: string;
  children: ComponentChildren;
  onDone: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), [value]);
  return (
    <div class="notice warn shown-once" role="region" aria-labelledby={`${id}-title`} tabIndex={-1} ref={ref}>
      <p id={`${id}-title`}>
        <strong>{title}</strong>
      </p>
      <p>Copy it now: it is not shown again. postflow keeps only a hash of it, so neither this console nor the API can show it later.</p>
      <CopyField id={id} label={label} value={value} />
      {children}
      <button type="button" class="secondary" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}
