import type { Schemas } from '../../api/client';

export type Entry = Schemas['HistoryEntry'];

/** The parts of a conversion's story, in the order they usually happen; each timeline kind belongs to one. */
export const sections = [
  { key: 'postback', label: 'Postback', kinds: ['received'] },
  { key: 'fraud', label: 'Fraud rules', kinds: ['fraud_check', 'fraud_verdict'] },
  { key: 'attribution', label: 'Attribution', kinds: ['attribution'] },
  { key: 'caps', label: 'Caps', kinds: ['cap'] },
  { key: 'status', label: 'Status', kinds: ['status_request', 'status_change', 'wait'] },
  { key: 'ledger', label: 'Ledger', kinds: ['ledger'] },
  {
    key: 'deliveries',
    label: 'Deliveries',
    kinds: ['delivery_planned', 'delivery_started', 'delivery_attempt', 'delivery_wait', 'delivery_result'],
  },
] as const;
export type SectionKey = (typeof sections)[number]['key'] | 'workflow';

/** Anything else (retries of a database step, the workflow closing) is the workflow's own. */
export function sectionOf(kind: string): SectionKey {
  return sections.find((s) => (s.kinds as readonly string[]).includes(kind))?.key ?? 'workflow';
}

export const sectionLabel = (key: SectionKey): string => sections.find((s) => s.key === key)?.label ?? 'Workflow';

/** How each kind reads as a short label beside the entry's own title. */
export const kindLabels: Record<string, string> = {
  received: 'Postback received',
  fraud_check: 'Fraud rule',
  fraud_verdict: 'Fraud verdict',
  attribution: 'Attribution',
  cap: 'Cap',
  status_request: 'Status request',
  status_change: 'Status change',
  wait: 'Wait',
  ledger: 'Ledger',
  delivery_planned: 'Deliveries planned',
  delivery_started: 'Delivery run',
  delivery_attempt: 'Delivery attempt',
  delivery_wait: 'Next retry',
  delivery_result: 'Delivery result',
  retry: 'Step retried',
  step: 'Step',
  workflow: 'Workflow',
};
