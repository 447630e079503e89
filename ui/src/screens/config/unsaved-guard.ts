import { useEffect } from 'preact/hooks';

/**
 * While a form has unsaved changes, leaving it asks first: a reload or closing the tab (the
 * browser's own prompt) and a link inside the console (checked before preact-iso's router sees
 * the click, which it would otherwise turn into a silent navigation).
 */
export function useUnsavedGuard(dirty: boolean) {
  useEffect(() => {
    if (!dirty) return;
    const beforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    const click = (e: MouseEvent) => {
      const link = (e.target as Element | null)?.closest?.('a[href]');
      if (!link || link.getAttribute('href')?.startsWith('#')) return;
      if (!window.confirm('You have unsaved changes. Leave this page and lose them?')) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    };
    addEventListener('beforeunload', beforeUnload);
    document.addEventListener('click', click, true);
    return () => {
      removeEventListener('beforeunload', beforeUnload);
      document.removeEventListener('click', click, true);
    };
  }, [dirty]);
}
