import type { ComponentChildren } from 'preact';

/** An error the user can act on: what happened and what to do next. */
export function ErrorNotice({ children }: { children: ComponentChildren }) {
  return (
    <div class="notice error" role="alert">
      {children}
    </div>
  );
}

/** Nothing to show yet: say why, and what would fill the screen. */
export function EmptyState({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}
