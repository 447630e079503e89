import type { Schemas } from '../api/client';

type Status = Schemas['Conversion']['status'];

const tone: Record<Status, 'ok' | 'warn' | 'bad'> = {
  approved: 'ok',
  processing: 'warn',
  pending: 'warn',
  held: 'warn',
  rejected: 'bad',
  declined: 'bad',
  reversed: 'bad',
};

/** A conversion's status as a coloured badge; the word itself carries the meaning, the colour only helps. */
export function StatusBadge({ status }: { status: Status }) {
  return <span class={`badge ${tone[status]}`}>{status}</span>;
}
