import type { Schemas } from '../../api/client';
import { Fieldset, SelectField, TextArea, TextField, type FormApi } from '../config/form-kit';
import { idFor } from '../config/form-paths';

export type Endpoint = Schemas['PostbackEndpoint'];
type DeliveryEvent = Endpoint['events'][number];
const allEvents: readonly DeliveryEvent[] = ['approved', 'pending', 'held', 'declined', 'reversed', 'rejected'];

/** The endpoint's fields as the API's request body names them, so a 400's issues[].path lands on its input. */
export interface EndpointForm {
  url: string;
  method: Endpoint['method'];
  events: DeliveryEvent[];
  body: string;
}

export const emptyEndpoint = (): EndpointForm => ({ url: '', method: 'GET', events: ['approved'], body: '' });
export const endpointToForm = (e: Endpoint): EndpointForm => ({ url: e.url, method: e.method, events: [...e.events], body: e.body ?? '' });
export const formToBody = (s: EndpointForm) => ({
  url: s.url,
  method: s.method,
  events: s.events,
  body: s.method === 'POST' && s.body.trim() ? s.body : undefined,
});

function EventsField({ form }: { form: FormApi<EndpointForm> }) {
  const toggle = (event: DeliveryEvent, on: boolean) =>
    form.set(
      'events',
      allEvents.filter((e) => (e === event ? on : form.state.events.includes(e))),
    );
  return (
    <Fieldset path="events" legend="Send a postback when a conversion is" class="checks">
      {allEvents.map((event) => {
        const id = `${idFor(form.id, 'events')}-${event}`;
        return (
          <span key={event} class="check">
            <input
              id={id}
              type="checkbox"
              checked={form.state.events.includes(event)}
              onChange={(e) => toggle(event, e.currentTarget.checked)}
            />
            <label for={id}>{event}</label>
          </span>
        );
      })}
    </Fieldset>
  );
}

/** URL (with macros), method, body template and events: what the affiliate may set on its own endpoints. */
export function EndpointFields({ form }: { form: FormApi<EndpointForm> }) {
  return (
    <>
      <TextField
        path="url"
        label="Your postback URL"
        required
        inputMode="url"
        placeholder="https://tracker.example/pb?clickid={sub1}&payout={payout}&status={status}"
        help="Macros in braces are filled in for each conversion (see the list below)."
      />
      <SelectField path="method" label="Method" options={['GET', 'POST']} />
      {form.state.method === 'POST' && (
        <TextArea
          path="body"
          label="Body template (optional)"
          rows={3}
          placeholder={'{"id":"{event_id}","payout":"{payout}"}'}
          help="JSON with every macro inside a string. Without one, POST sends a JSON object with every macro."
        />
      )}
      <EventsField form={form} />
    </>
  );
}
