import { useState } from 'preact/hooks';
import { api, type Schemas } from '../../api/client';
import { ErrorNotice, Loading } from '../../components/notice';
import { useCan } from '../../session';
import { useParties, type Parties } from '../conversions/parties';
import { changes, type Change } from './changes';
import { ErrorSummary, FormScope, useForm } from './form-kit';
import { SavedChanges, When } from './parts';
import { TargetFields } from './trafficback-fields';
import { useUnsavedGuard } from './unsaved-guard';
import { describeTarget, formToTarget, targetToForm, type TargetForm } from './trafficback-target';
import { useLoad } from './use-load';
import { useSubmit } from './use-submit';

type Setting = Schemas['GlobalTrafficbackSetting'];

/** The form: the request body of PATCH /api/trafficback, so its `target.url` error lands on the URL. */
function GlobalTargetForm({ setting, parties }: { setting: Setting; parties: Parties }) {
  const [current, setCurrent] = useState(setting);
  const [saved, setSaved] = useState<Change[]>();
  const form = useForm<{ target: TargetForm }>('global-tb', { target: targetToForm(setting.target) });
  const submit = useSubmit<Setting>(form);
  useUnsavedGuard(form.dirty);
  const save = (e: Event) => {
    e.preventDefault();
    setSaved(undefined);
    const target = formToTarget(form.state.target) ?? { type: 'not_found' as const };
    void submit.run(
      () => api.PATCH('/api/trafficback', { body: { target } }),
      (data) => {
        setSaved(changes(current, data, '', ['updated_at']));
        setCurrent(data);
        form.reset({ target: targetToForm(data.target) });
      },
    );
  };
  return (
    <>
      <SavedChanges changes={saved} what="global target" />
      <form onSubmit={save} noValidate class="entity-form" aria-label="Global trafficback target">
        <ErrorSummary form={form} problem={submit.problem} />
        <FormScope form={form}>
          <TargetFields path="target" label="Clicks go to" target={form.state.target} offers={parties.offers} />
        </FormScope>
        <div class="form-actions inline-actions">
          <button type="submit" disabled={submit.busy || !form.dirty}>
            {submit.busy ? 'Saving…' : 'Save global target'}
          </button>
          {form.dirty && <span class="help">Unsaved changes</span>}
          {!form.dirty && (
            <span class="help">
              Now: {describeTarget(current.target, (id) => parties.label('offers', id))}
              {current.updated_at ? (
                <>
                  , set <When at={current.updated_at} />
                </>
              ) : (
                ' (the default)'
              )}
            </span>
          )}
        </div>
      </form>
    </>
  );
}

/**
 * The network's global trafficback target (GET and PATCH /api/trafficback): where a click goes when
 * its offer cannot take it and neither the offer nor the affiliate's target on it names one.
 */
export function GlobalTrafficback() {
  const can = useCan();
  const loaded = useLoad(() => api.GET('/api/trafficback', {}), []);
  const { parties } = useParties();
  const name = (id: string) => parties.label('offers', id);
  return (
    <section aria-labelledby="global-tb-title" class="card">
      <h2 id="global-tb-title">Global trafficback</h2>
      <p class="help">
        Where a click goes when its offer cannot take it (paused, expired, capped…) and neither the offer nor the affiliate's target on it
        names one. The clicks themselves are on the <a href="/ui/trafficback">Trafficback</a> screen; an offer's own targets are in its
        form.
      </p>
      {loaded.error && <ErrorNotice>Could not read the global target: {loaded.error}. Reload the page to try again.</ErrorNotice>}
      {!loaded.data && !loaded.error && <Loading what="the global target" />}
      {loaded.data &&
        (can() ? (
          <GlobalTargetForm setting={loaded.data} parties={parties} />
        ) : (
          <p>
            Clicks go to <strong>{describeTarget(loaded.data.target, name)}</strong>.
          </p>
        ))}
    </section>
  );
}
