import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { problemMessage } from '../../api/client';
import type { Change } from './changes';

/** Active or deactivated, as a badge. */
export function ActiveBadge({ active, paused }: { active: boolean; paused?: boolean }) {
  if (!active) return <span class="badge bad">deactivated</span>;
  return paused ? <span class="badge warn">paused</span> : <span class="badge ok">active</span>;
}

/** What the last save changed, as the API answered it, or that it changed nothing. */
export function SavedChanges({ changes, what }: { changes?: Change[]; what: string }) {
  if (!changes) return null;
  return (
    <div class="notice ok" role="status">
      {changes.length === 0 ? (
        <p>Saved: the {what} was already like this, nothing changed.</p>
      ) : (
        <>
          <p>
            <strong>Saved.</strong> Changed:
          </p>
          <ul class="changes">
            {changes.map((c) => (
              <li key={c.path}>
                <code>{c.path}</code>: <del>{c.before}</del> → <ins>{c.after}</ins>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/**
 * Deactivate (the API's DELETE: nothing is deleted) with a second click to confirm, or
 * reactivate. `consequence` says what deactivating stops.
 */
export function ActivationControl({
  active,
  what,
  consequence,
  deactivate,
  reactivate,
}: {
  active: boolean;
  what: string;
  consequence: string;
  deactivate: () => Promise<{ error?: unknown }>;
  reactivate: () => Promise<{ error?: unknown }>;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (action: () => Promise<{ error?: unknown }>) => {
    setBusy(true);
    setError(undefined);
    try {
      const { error: problem } = await action();
      if (problem) setError(problemMessage(problem));
      else setConfirming(false);
    } catch (err) {
      setError(problemMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="activation" aria-label={`${what} activation`}>
      {error && <p class="field-error" role="alert">{`Could not change it: ${error}`}</p>}
      {!active ? (
        <p>
          This {what} is deactivated. {consequence}{' '}
          <button type="button" class="secondary" disabled={busy} onClick={() => void run(reactivate)}>
            Reactivate {what}
          </button>
        </p>
      ) : confirming ? (
        <p role="group" aria-label="Confirm deactivation">
          Deactivate this {what}? {consequence} Nothing is deleted; you can reactivate it.{' '}
          <button type="button" class="danger" disabled={busy} onClick={() => void run(deactivate)}>
            Yes, deactivate
          </button>{' '}
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </p>
      ) : (
        <button type="button" class="secondary" onClick={() => setConfirming(true)}>
          Deactivate {what}…
        </button>
      )}
    </section>
  );
}

/** A page's title with the way back to its list. */
export function PageHead({
  back,
  backLabel,
  title,
  children,
}: {
  back: string;
  backLabel: string;
  title: string;
  children?: ComponentChildren;
}) {
  return (
    <div class="page-head">
      <p class="back">
        <a href={back}>← {backLabel}</a>
      </p>
      <h2>{title}</h2>
      {children}
    </div>
  );
}

/** Dates as the user's browser shows them, with the zone named. */
export function When({ at }: { at: string }) {
  const d = new Date(at);
  return (
    <time dateTime={at} title={at}>
      {d.toLocaleString(undefined, {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZoneName: 'short',
      })}
    </time>
  );
}

/** A one-shot message carried across a navigation (an entity was created, now its page shows). */
let flash: string | undefined;
export const setFlash = (message: string) => {
  flash = message;
};
export const takeFlash = () => {
  const message = flash;
  flash = undefined;
  return message;
};
