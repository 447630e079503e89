// The worker bundles this file: every workflow type is exported from here.
export { processConversion } from './conversion';
export { applyLateStatusChange } from './late-status-change';
export { deliverPostback } from './delivery';
