import { CheckField, Fieldset } from '../config/form-kit';
import { capabilitiesFor, capabilityInfo, type Capability, type PartnerKind } from './capabilities';

/** The form state both a key and a sign-in link share: read-only, and which capabilities beyond reading. */
export interface AccessForm {
  read_only: boolean;
  capabilities: Record<Capability, boolean>;
}

export const initialAccess = (kind: PartnerKind): AccessForm => ({
  read_only: false,
  capabilities: Object.fromEntries(capabilitiesFor(kind).map((c) => [c, true])) as Record<Capability, boolean>,
});

export const chosenCapabilities = (form: AccessForm): Capability[] =>
  (Object.keys(form.capabilities) as Capability[]).filter((c) => form.capabilities[c]);

/** Read-only, then the realm's capabilities as checkboxes; the API's `capabilities` issue lands on the group. */
export function AccessFields({ kind }: { kind: PartnerKind }) {
  return (
    <>
      <CheckField
        path="read_only"
        label="Read-only"
        help="It can read its own data but change nothing: every write answers 403 read_only, whatever the capabilities."
      />
      <Fieldset path="capabilities" legend="What it may do besides reading" class="inline">
        {capabilitiesFor(kind).map((c) => (
          <CheckField key={c} path={`capabilities.${c}`} label={capabilityInfo[c].label} help={capabilityInfo[c].help} />
        ))}
      </Fieldset>
    </>
  );
}
