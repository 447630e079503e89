import { useState } from 'preact/hooks';
import { fieldErrors, problemMessage } from '../../api/client';
import type { FormApi } from './form-kit';

/** Sends a form: while it runs the button is busy; a refusal puts the API's field errors on the form and keeps its state. */
export function useSubmit<T>(form: Pick<FormApi<unknown>, 'setErrors'>) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const run = async (call: () => Promise<{ data?: T; error?: unknown }>, onSaved: (data: T) => void) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const { data, error } = await call();
      if (data !== undefined) {
        form.setErrors({});
        onSaved(data);
      } else {
        form.setErrors(fieldErrors(error));
        setProblem(problemMessage(error));
      }
    } catch (err) {
      setProblem(problemMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, run, refuse: (errors: Record<string, string>) => (form.setErrors(errors), setProblem('')) };
}
