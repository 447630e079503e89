import type { ComponentType } from 'preact';

/**
 * One screen of a realm's console: its path under /ui (preact-iso syntax: `:id`, `/*`) and, when
 * it is in the navigation, its label there. The navigation lists a realm's labelled entries in
 * table order, so adding a screen to a realm is one line in its table.
 */
export interface ScreenRoute {
  path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- preact-iso passes route params as props
  component: ComponentType<any>;
  nav?: string;
}
