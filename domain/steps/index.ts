import type { ConversionSteps } from './conversion';
import type { DeliverySteps } from './delivery';
import type { RetentionSteps } from './retention';
import type { SubscriptionSteps } from './subscription';

export type * from './conversion';
export type * from './delivery';
export type * from './retention';
export type * from './subscription';

/** Every activity the worker registers, by name: what activities/ implements and workflows/ proxies. */
export type Steps = ConversionSteps & DeliverySteps & SubscriptionSteps & RetentionSteps;
export type StepName = keyof Steps;
export type StepInput<N extends StepName> = Parameters<Steps[N]>[0];
export type StepResult<N extends StepName> = Awaited<ReturnType<Steps[N]>>;
