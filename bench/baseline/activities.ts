/** The baseline's one activity: returns at once, so what is measured is Temporal's round trip for an activity. */
export function createBaselineActivities() {
  return {
    async noop(): Promise<void> {},
  };
}

export type BaselineActivities = ReturnType<typeof createBaselineActivities>;
