import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getAt, idFor, placeErrors, setAt, slotsOf, type PlacedError } from './form-paths';

/**
 * Forms whose state mirrors the API's request body: every field is named by its API path, so the
 * API's `issues[].path` lands next to the field that holds it (aria-invalid + aria-describedby),
 * and a failed save keeps everything the user typed.
 */
export interface FormApi<T> {
  id: string;
  state: T;
  set(path: string, value: unknown): void;
  /** Replaces the state, keeping the errors (they still point at the same rows). */
  update(next: T): void;
  /** Replaces the state after a change of structure (a goal added or removed); old errors no longer point at the right rows. */
  restructure(next: T): void;
  /** The state as saved (after a load or a successful save): not dirty, no errors. */
  reset(next: T): void;
  dirty: boolean;
  errors: Record<string, string>;
  setErrors(errors: Record<string, string>): void;
  placed: PlacedError[];
}

export function useForm<T>(id: string, initial: T): FormApi<T> {
  const [state, setState] = useState(initial);
  const [saved, setSaved] = useState(() => JSON.stringify(initial));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const placed = useMemo(() => placeErrors(errors, slotsOf(state)), [errors, state]);
  return {
    id,
    state,
    set: (path, value) => setState((s) => setAt(s, path, value)),
    update: setState,
    restructure: (next) => {
      setState(next);
      setErrors({});
    },
    reset: (next) => {
      setState(next);
      setSaved(JSON.stringify(next));
      setErrors({});
    },
    dirty: JSON.stringify(state) !== saved,
    errors,
    setErrors,
    placed,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const FormContext = createContext<FormApi<any> | undefined>(undefined);

export function FormScope<T>({ form, children }: { form: FormApi<T>; children: ComponentChildren }) {
  return <FormContext.Provider value={form}>{children}</FormContext.Provider>;
}

function useField(path: string) {
  const form = useContext(FormContext);
  if (!form) throw new Error('a field outside FormScope');
  const id = idFor(form.id, path);
  const messages = form.placed.filter((e) => e.slot === path).map((e) => e.message);
  return { form, id, errorId: `${id}-error`, messages, value: getAt(form.state, path) };
}

function describedBy(...ids: (string | false | undefined)[]) {
  return ids.filter(Boolean).join(' ') || undefined;
}

function FieldError({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <p id={id} class="field-error">
      {messages.join('; ')}
    </p>
  );
}

interface FieldProps {
  path: string;
  label: string;
  help?: ComponentChildren;
  required?: boolean;
  class?: string;
}

function Label({ id, label, required }: { id: string; label: string; required?: boolean }) {
  return (
    <label for={id}>
      {label}
      {required && <span class="required"> (required)</span>}
    </label>
  );
}

export function TextField(
  props: FieldProps & {
    inputMode?: 'text' | 'decimal' | 'numeric' | 'url';
    placeholder?: string;
    list?: string;
    type?: 'text' | 'password' | 'datetime-local';
    autoComplete?: string;
    spellcheck?: boolean;
    /** A control beside the input (a "Clear" button). */
    action?: ComponentChildren;
    /** Instead of setting the value at `path` alone (a goal key also renames the references to it). */
    onValue?: (value: string) => void;
  },
) {
  const { form, id, errorId, messages, value } = useField(props.path);
  const helpId = props.help ? `${id}-help` : undefined;
  const input = (
    <input
      {...(props.list ? { list: props.list } : {})}
      id={id}
      name={props.path}
      type={(props.type ?? 'text') as 'text'}
      value={String(value ?? '')}
      inputMode={props.inputMode}
      placeholder={props.placeholder}
      autoComplete={props.autoComplete ?? 'off'}
      spellcheck={props.spellcheck ?? false}
      aria-required={props.required ? 'true' : undefined}
      aria-invalid={messages.length > 0 ? 'true' : undefined}
      aria-describedby={describedBy(messages.length > 0 && errorId, helpId)}
      onInput={(e) => (props.onValue ? props.onValue(e.currentTarget.value) : form.set(props.path, e.currentTarget.value))}
    />
  );
  return (
    <div class={`field ${props.class ?? ''}`}>
      <Label id={id} label={props.label} required={props.required} />
      {props.action ? (
        <div class="input-action">
          {input}
          {props.action}
        </div>
      ) : (
        input
      )}
      <FieldError id={errorId} messages={messages} />
      {props.help && (
        <p id={helpId} class="help">
          {props.help}
        </p>
      )}
    </div>
  );
}

export function TextArea(props: FieldProps & { rows?: number; placeholder?: string }) {
  const { form, id, errorId, messages, value } = useField(props.path);
  const helpId = props.help ? `${id}-help` : undefined;
  return (
    <div class={`field ${props.class ?? ''}`}>
      <Label id={id} label={props.label} required={props.required} />
      <textarea
        id={id}
        name={props.path}
        rows={props.rows ?? 3}
        value={String(value ?? '')}
        placeholder={props.placeholder}
        spellcheck={false}
        aria-invalid={messages.length > 0 ? 'true' : undefined}
        aria-describedby={describedBy(messages.length > 0 && errorId, helpId)}
        onInput={(e) => form.set(props.path, e.currentTarget.value)}
      />
      <FieldError id={errorId} messages={messages} />
      {props.help && (
        <p id={helpId} class="help">
          {props.help}
        </p>
      )}
    </div>
  );
}

export type Option = string | { value: string; label: string };

export function SelectField(props: FieldProps & { options: readonly Option[] }) {
  const { form, id, errorId, messages, value } = useField(props.path);
  const helpId = props.help ? `${id}-help` : undefined;
  return (
    <div class={`field ${props.class ?? ''}`}>
      <Label id={id} label={props.label} required={props.required} />
      <select
        id={id}
        name={props.path}
        value={String(value ?? '')}
        aria-invalid={messages.length > 0 ? 'true' : undefined}
        aria-describedby={describedBy(messages.length > 0 && errorId, helpId)}
        onChange={(e) => form.set(props.path, e.currentTarget.value)}
      >
        {props.options.map((o) => {
          const { value: v, label } = typeof o === 'string' ? { value: o, label: o } : o;
          return (
            <option key={v} value={v}>
              {label}
            </option>
          );
        })}
      </select>
      <FieldError id={errorId} messages={messages} />
      {props.help && (
        <p id={helpId} class="help">
          {props.help}
        </p>
      )}
    </div>
  );
}

export function CheckField(props: FieldProps) {
  const { form, id, errorId, messages, value } = useField(props.path);
  const helpId = props.help ? `${id}-help` : undefined;
  return (
    <div class={`field check ${props.class ?? ''}`}>
      <input
        id={id}
        name={props.path}
        type="checkbox"
        checked={Boolean(value)}
        aria-invalid={messages.length > 0 ? 'true' : undefined}
        aria-describedby={describedBy(messages.length > 0 && errorId, helpId)}
        onChange={(e) => form.set(props.path, e.currentTarget.checked)}
      />
      <label for={id}>{props.label}</label>
      <FieldError id={errorId} messages={messages} />
      {props.help && (
        <p id={helpId} class="help">
          {props.help}
        </p>
      )}
    </div>
  );
}

/** A group of fields that the API may also name as a whole ("caps.0": a duplicate cap). */
export function Fieldset({
  path,
  legend,
  children,
  class: className,
}: {
  path: string;
  legend: ComponentChildren;
  children: ComponentChildren;
  class?: string;
}) {
  const { id, errorId, messages } = useField(path);
  return (
    <fieldset id={id} class={className} tabIndex={-1} aria-describedby={messages.length > 0 ? errorId : undefined}>
      <legend>{legend}</legend>
      <FieldError id={errorId} messages={messages} />
      {children}
    </fieldset>
  );
}

/**
 * After a failed save: how many problems, that nothing typed was lost, and a link to each field.
 * It takes focus so a screen reader reads it, and the links move focus to the field.
 */
export function ErrorSummary({ form, problem }: { form: FormApi<unknown>; problem?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const shown = problem !== undefined || form.placed.length > 0;
  useEffect(() => {
    if (shown) ref.current?.focus();
  }, [problem, form.errors]);
  if (!shown) return null;
  return (
    <div class="notice error summary" role="alert" tabIndex={-1} ref={ref}>
      <p>
        <strong>Not saved.</strong>{' '}
        {form.placed.length > 0 ? 'Your changes are still here: fix the marked fields and save again.' : problem}
      </p>
      {form.placed.length > 0 && (
        <ul>
          {form.placed.map((e, i) => (
            <li key={i}>
              {e.slot ? (
                <a
                  href={`#${idFor(form.id, e.slot)}`}
                  onClick={(ev) => {
                    ev.preventDefault();
                    document.getElementById(idFor(form.id, e.slot!))?.focus();
                  }}
                >
                  {e.slot}: {e.message}
                </a>
              ) : (
                e.message
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
