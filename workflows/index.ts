import type { WorkflowSignatures } from './contract';
import { processConversion } from './conversion';
import { deliverPostback } from './delivery';
import { applyLateStatusChange } from './late-status-change';
import { retentionSweep } from './retention';
import { dispatchSubscription } from './subscription';

// The worker bundles this file: every workflow type is exported from here.
export { processConversion, applyLateStatusChange, deliverPostback, dispatchSubscription, retentionSweep };

// Compile-time only: each exported workflow has the signature the API starts it with.
const registered: WorkflowSignatures = { processConversion, applyLateStatusChange, deliverPostback, dispatchSubscription, retentionSweep };
void registered;
