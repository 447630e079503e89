import type { ConversionInput } from '../domain/conversion';
import { screenConversion } from '../domain/fraud';
import { normaliseIp } from '../domain/ip';
import type { ClickRecord, OfferConfig } from '../domain/offer';
import type { ScreenOutcome } from '../domain/steps';
import { conversionWorkflowId } from '../domain/workflow-ids';
import type { StepDeps } from './deps';
import { conversionCreated } from '../domain/rollup';
import { applyRollupDeltas } from '../rollups/apply';
import { conversionRollupFields, conversionRollupKey } from '../rollups/conversion-key';
import { ApplicationFailure } from '@temporalio/activity';

const DUPLICATE_KEY = 11000;

const DAY_MS = 24 * 60 * 60 * 1000;

export function screenActivities({ models }: StepDeps) {
  return {
    /**
     * Creates the conversion projection (status processing) and runs the fraud rules.
     * Idempotent: the insert is $setOnInsert; a retry re-screens and overwrites the verdict,
     * and only the attempt that completes is recorded in the workflow history.
     */
    async screenConversion(input: ConversionInput): Promise<ScreenOutcome> {
      const [offerDoc, clickDoc] = await Promise.all([
        models.Offer.findById(input.offerId).lean<Record<string, unknown>>(),
        models.Click.findById(input.clickId).lean<Record<string, unknown>>(),
      ]);
      // The edge checked both exist; only deletion behind our back gets here: nothing to retry.
      if (!offerDoc) throw ApplicationFailure.nonRetryable(`offer ${input.offerId} not found`, 'OfferNotFound');
      if (!clickDoc) throw ApplicationFailure.nonRetryable(`click ${input.clickId} not found`, 'ClickNotFound');
      const offer = toOfferConfig(offerDoc);
      const click = toClickRecord(clickDoc);
      const receivedAt = new Date(input.receivedAt);
      // Stored and counted in one spelling, as require_same_ip compares them: ::ffff:192.0.2.1 is 192.0.2.1.
      const ip = input.ip === undefined ? undefined : normaliseIp(input.ip);

      const singleKey = input.singleKey ?? input.dedupeKey;
      // Upserts and reads back in one round trip: what is stored decides below, not this attempt's luck.
      const insert = (key: string) =>
        models.Conversion.findOneAndUpdate(
          { _id: input.conversionId },
          {
            $setOnInsert: {
              dedupe_key: input.dedupeKey,
              single_key: key,
              workflow_id: conversionWorkflowId(input.conversionId),
              advertiser_id: input.advertiserId,
              offer_id: input.offerId,
              affiliate_id: input.affiliateId,
              click_id: input.clickId,
              goal: input.goal,
              txid: input.txid,
              amount: input.amount,
              currency: input.currency ?? offer.currency,
              subs: click.subs,
              ip,
              status: 'processing',
              status_seq: -1,
              rollup_created: false,
              ...(input.test ? { test: true } : {}),
              received_at: receivedAt,
              updated_at: receivedAt,
            },
            // The live stream's order: the database's clock at the write (a retry stamps again, and the stream shows it again).
            $currentDate: { changed_at: true },
          },
          { upsert: true, new: true, projection: { single_key: 1, rollup_created: 1, ...conversionRollupFields } },
        ).lean();
      let own: Awaited<ReturnType<typeof insert>>;
      try {
        own = await insert(singleKey);
      } catch (err) {
        if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
        // Another conversion holds this click and goal: record ours under its own key, to be rejected.
        own = await insert(input.dedupeKey);
      }
      // Decided from what is stored, not from this attempt's error: a retry after the fallback
      // insert sees no error, but our document still does not hold the click-and-goal key.
      const duplicateOf =
        !own?.single_key || own.single_key === singleKey
          ? undefined
          : ((await models.Conversion.findOne({ single_key: singleKey }, { _id: 1 }).lean())?._id ?? 'another conversion');

      // Counted only when the rule is on: it is a range query that grows with the offer's volume.
      const conversionsFromIpToday =
        ip && offer.fraud.max_conversions_per_ip_per_day !== undefined
          ? await models.Conversion.countDocuments({
              _id: { $ne: input.conversionId },
              offer_id: input.offerId,
              ip,
              test: { $ne: true }, // a test fired from the same place is no sign of fraud in real traffic
              received_at: { $gt: new Date(receivedAt.getTime() - DAY_MS), $lte: receivedAt },
            })
          : 0;
      const screen = screenConversion({
        offer,
        click,
        convertedAt: receivedAt,
        conversionIp: input.ip,
        conversionsFromIpToday,
      });
      const saveVerdict = (rolledUp: boolean) =>
        models.Conversion.updateOne(
          { _id: input.conversionId },
          {
            $set: {
              fraud: { ...screen, conversions_from_ip_today: conversionsFromIpToday },
              ...(rolledUp ? { rollup_created: true } : {}),
            },
          },
        );
      // Counted in the report roll-ups once: rollup_created turns true in the same write as the verdict.
      // (false, not absent: conversions from before the roll-ups were counted by their rebuild.)
      // A test conversion is counted in no report (README "Test postbacks").
      if (own?.rollup_created === false && !input.test) {
        await applyRollupDeltas(
          models,
          `${input.conversionId}:created`,
          [conversionCreated(own.received_at, conversionRollupKey(own))],
          () => saveVerdict(true),
        );
      } else {
        await saveVerdict(false);
      }
      return { screen, offer, click, ...(duplicateOf ? { duplicateOf } : {}) };
    },
  };
}

function toOfferConfig(doc: Record<string, unknown>): OfferConfig {
  const { _id, created_at: _c, updated_at: _u, ...rest } = doc;
  return { id: String(_id), ...(rest as Omit<OfferConfig, 'id'>) };
}

function toClickRecord(doc: Record<string, unknown>): ClickRecord {
  return {
    id: String(doc._id),
    offer_id: String(doc.offer_id),
    affiliate_id: String(doc.affiliate_id),
    advertiser_id: String(doc.advertiser_id),
    subs: (doc.subs ?? {}) as ClickRecord['subs'],
    ip: doc.ip as string | undefined,
    user_agent: doc.user_agent as string | undefined,
    created_at: (doc.created_at as Date).toISOString(),
  };
}
