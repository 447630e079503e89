import { Schema, type Connection } from 'mongoose';

/**
 * The feed's sequencer state (events/sequence.ts), one document: the highest position whose
 * events are all written (`settled`), and the batch being positioned, if any (`plan`). Every
 * change to it is one compare-and-set on `settled`, which serialises the sequencers of all
 * processes without a lock or lease: a plan names its events and their positions, so any process
 * can finish a plan another one started.
 */
export const eventSequenceSchema = new Schema(
  {
    _id: { type: String, required: true },
    settled: { type: Number, required: true, default: 0 },
    plan: {
      type: new Schema({ from: { type: Number, required: true }, ids: { type: [String], required: true } }, { _id: false }),
      default: null,
    },
  },
  { collection: 'event_sequence', versionKey: false, minimize: false },
);

export const eventSequenceModel = (connection: Connection) => connection.model('EventSequence', eventSequenceSchema);
