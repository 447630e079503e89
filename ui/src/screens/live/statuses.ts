import type { Schemas } from '../../api/client';

type ConversionStatus = Schemas['LiveConversionEvent']['status'];
type DeliveryStatus = Schemas['LiveDeliveryEvent']['status'];

/** The statuses to filter by, in lifecycle order; the checks below fail to compile when the API adds one. */
export const conversionStatuses = [
  'processing',
  'pending',
  'held',
  'approved',
  'rejected',
  'declined',
  'reversed',
] as const satisfies readonly ConversionStatus[];
export const deliveryStatuses = [
  'pending',
  'delivering',
  'succeeded',
  'failed',
  'dead_lettered',
] as const satisfies readonly DeliveryStatus[];
const allConversion: Exclude<ConversionStatus, (typeof conversionStatuses)[number]> extends never ? true : false = true;
const allDelivery: Exclude<DeliveryStatus, (typeof deliveryStatuses)[number]> extends never ? true : false = true;
void allConversion;
void allDelivery;

const good = new Set(['approved', 'succeeded']);
const bad = new Set(['rejected', 'declined', 'reversed', 'failed', 'dead_lettered']);

/** The badge's colour: settled well, settled badly, or still moving. */
export const statusTone = (status: string): 'ok' | 'bad' | 'warn' => (good.has(status) ? 'ok' : bad.has(status) ? 'bad' : 'warn');

export const statusLabel = (status: string): string => status.replace('_', ' ');
