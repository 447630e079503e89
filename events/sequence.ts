import type { Models } from '../models';

const FEED = 'events';
const DUPLICATE_KEY = 11000;
/** Events positioned per plan: bounds one plan's document and one bulk write. */
const PLAN_SIZE = 500;
/** Plans made per call: a reader far behind a burst catches up over a few calls, not one long one. */
const ROUNDS = 4;

interface Plan {
  from: number;
  ids: string[];
}
interface SequenceState {
  settled: number;
  plan: Plan | null;
}

/**
 * Gives the recorded events their feed positions and returns the settled horizon: the highest
 * position up to which every position is given and written. Readers read only up to it.
 *
 * Why positions are given after the write, not with it: events are recorded by concurrent
 * workers, and a position taken before the write (a counter, a timestamp) can become visible
 * after a higher one already was, so a reader paging past it would never see it. Here a position
 * is only ever given to an event already committed (the sequencer finds it), and the horizon moves
 * only after all positions up to it are written, so the order below the horizon never changes and
 * a reader paging by position sees every event exactly once.
 *
 * How processes agree without a lock: the state is one document. A sequencer reads it, finds the
 * waiting events, and installs a plan (the ids and their first position) with a compare-and-set on
 * `settled` and `plan: null`; only one plan per horizon can win. Applying a plan is idempotent
 * (each id gets the same position, whoever writes it), so a process that finds a plan installed,
 * its author's or one whose author died, applies it too and then moves the horizon past it with
 * a second compare-and-set. An event cannot be in two plans: the waiting events are read after the
 * state, and a later plan's state was read after the earlier plan's positions were written.
 */
export async function sequenceEvents(models: Models): Promise<number> {
  let state = await loadState(models);
  for (let round = 0; round < ROUNDS; round++) {
    if (state.plan) {
      state = await applyPlan(models, state.settled, state.plan);
      continue;
    }
    const waiting = await models.Event.find({ unpositioned: true }, { _id: 1 })
      .sort({ recorded_at: 1, rank: 1, _id: 1 })
      .limit(PLAN_SIZE)
      .lean();
    if (waiting.length === 0) return state.settled;
    const plan: Plan = { from: state.settled + 1, ids: waiting.map((e) => e._id) };
    const installed = await models.EventSequence.updateOne({ _id: FEED, settled: state.settled, plan: null }, { $set: { plan } });
    state = installed.modifiedCount === 1 ? await applyPlan(models, state.settled, plan) : await loadState(models);
  }
  return state.settled;
}

async function applyPlan(models: Models, settled: number, plan: Plan): Promise<SequenceState> {
  await models.Event.bulkWrite(
    plan.ids.map((id, i) => ({
      updateOne: { filter: { _id: id }, update: { $set: { position: plan.from + i }, $unset: { unpositioned: 1 } } },
    })),
    { ordered: false },
  );
  // An id deleted meanwhile (retention) leaves its position unused: a hole readers never wait on.
  await models.EventSequence.updateOne(
    { _id: FEED, settled, 'plan.from': plan.from },
    { $set: { settled: plan.from + plan.ids.length - 1, plan: null } },
  );
  return loadState(models);
}

async function loadState(models: Models): Promise<SequenceState> {
  const found = await models.EventSequence.findById(FEED).lean<SequenceState>();
  if (found) return { settled: found.settled, plan: found.plan ?? null };
  try {
    await models.EventSequence.updateOne({ _id: FEED }, { $setOnInsert: { settled: 0, plan: null } }, { upsert: true });
  } catch (err) {
    if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err; // another process created it first
  }
  return loadState(models);
}
