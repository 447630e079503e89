/**
 * The shape of a benchmark's JSON result file, defined once: writeReport checks every file it
 * writes against it, and the CI guard (test/e2e/benchmarks.test.ts) reads the files back with it.
 * Only what bench/README.md documents is pinned down; the rest of `details` may grow freely.
 */
import { z } from 'zod';

/** A measured figure; null where the run had nothing to compute it from (NaN, which JSON writes as null). */
const figure = z.number().nullable();
const count = z.number().int().nonnegative();
const cell = z.union([z.string(), z.number()]).nullable();

const table = z
  .object({ columns: z.array(z.string()).min(1), rows: z.array(z.array(cell)) })
  .refine((t) => t.rows.every((row) => row.length === t.columns.length), 'every row has one cell per column');

export const machineFactsSchema = z.object({
  cores: z.number().int().positive(),
  cpuModel: z.string(),
  memoryGiB: z.number(),
  node: z.string(),
  os: z.string(),
  /** 1-minute load average when the run started: a busy machine explains odd figures. */
  loadAverage1m: z.number(),
});

export const versionsSchema = z.object({
  temporalCli: z.string(),
  mongo: z.string(),
  packages: z.record(z.string(), z.string()),
});

/** The envelope every benchmark writes; `details` is the benchmark's own (see the schemas below). */
export function reportSchema<D extends z.ZodType>(details: D) {
  return z.object({
    /** File-name stem: results/<name>-<timestamp>.json and results/<name>-latest.md. */
    name: z.string().regex(/^[a-z][a-z-]*$/),
    title: z.string().min(1),
    startedAt: z.iso.datetime(),
    command: z.string().startsWith('npx tsx bench/'),
    settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    headline: table,
    /** Further tables under the headline, each with a short heading (e.g. resource use). */
    tables: z.array(table.and(z.object({ title: z.string().min(1) }))).optional(),
    /** Findings that belong next to the figures (ratios, checks, warnings). */
    notes: z.array(z.string()),
    machine: machineFactsSchema,
    versions: versionsSchema,
    infrastructure: z.array(z.string()),
    /** Everything measured, for later comparison; the Markdown shows only the headline. */
    details,
  });
}

export const anyDetailsSchema = z.record(z.string(), z.unknown());

const latencySchema = z.object({
  count,
  minMs: figure,
  meanMs: figure,
  p50Ms: figure,
  p90Ms: figure,
  p99Ms: figure,
  maxMs: figure,
});

/** One load generator phase (bench/lib/load.ts), as measure() reports it. */
const phaseSchema = z.looseObject({
  expectedPerSec: figure,
  elapsedMs: z.number().nonnegative(),
  statusCounts: z.record(z.string(), count),
  latency: latencySchema,
});

const measurementSchema = z.looseObject({ measured: phaseSchema, warmup: phaseSchema.optional() });

/** click-redirect: the zero-loss check is clicksStored === redirects. */
export const clickDetailsSchema = z.looseObject({
  postflow: measurementSchema,
  /** The same click path on an offer with caps and a trafficback target. */
  withChecks: measurementSchema,
  checksRatio: figure,
  baseline: measurementSchema,
  clicksStored: count,
  redirects: count,
  ratio: figure,
  appErrors: z.object({ count, first: z.array(z.string()) }),
});

const idAndStatus = z.tuple([z.string(), z.string()]);

const baselineRunSchema = z.looseObject({
  phase: z.looseObject({
    workflowType: z.string(),
    started: count,
    completed: count,
    failed: z.record(z.string(), count),
    unfinished: count,
    completedPerSec: figure,
    resultLatency: latencySchema,
  }),
});

/** end-to-end: one entry per rate; `postflow.loss` is the zero-loss check (bench/README.md). */
export const endToEndDetailsSchema = z.looseObject({
  runs: z
    .array(
      z.looseObject({
        rate: z.number().positive(),
        /** Absent with --skip-baseline. */
        empty: baselineRunSchema.optional(),
        single: baselineRunSchema.optional(),
        postflow: z.looseObject({
          measurement: measurementSchema,
          accepted: count,
          rx: z.looseObject({
            delivered: count,
            missing: z.array(z.string()),
            duplicates: count,
            latency: latencySchema,
            deliveriesPerSecEndToEnd: figure,
            drainS: figure,
          }),
          loss: z.object({
            notDelivered: z.array(z.string()),
            notApproved: z.array(idAndStatus),
            deliveryNotSucceeded: z.array(idAndStatus),
            zeroLoss: z.boolean(),
          }),
          memory: z.record(z.string(), z.object({ peakRssMiB: figure.optional(), lifetimePeakMiB: figure.optional() })),
          processOutput: z.record(z.string(), z.object({ count, first: z.array(z.string()) })),
        }),
      }),
    )
    .min(1),
});

const capacityStepSchema = z.looseObject({
  rate: z.number().positive(),
  keptUp: z.boolean(),
  why: z.string(),
  completedPerSec: figure,
  p99Ms: figure,
});

/** capacity: per target the capacity found (null: not even the ladder's first rate) and every step climbed. */
export const capacityDetailsSchema = z.looseObject({
  capacities: z.partialRecord(z.enum(['empty', 'single', 'postflow']), z.number().positive().nullable()),
  ratios: z.object({ postflowToEmpty: figure, postflowToSingle: figure }),
  steps: z.partialRecord(z.enum(['empty', 'single', 'postflow']), z.array(capacityStepSchema).min(1)),
  half: z.looseObject({ rate: z.number().positive() }).nullable(),
});

/** A report as the benchmarks build it: the file's shape, with the start as a Date. */
export type Report = Omit<z.input<ReturnType<typeof reportSchema<typeof anyDetailsSchema>>>, 'startedAt'> & { startedAt: Date };
