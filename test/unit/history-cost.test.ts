import { readFileSync } from 'node:fs';
import path from 'node:path';
import { averageCost, childWorkflowIds, historyCost, type CostHistory } from '../../bench/lib/history-cost';

const fixture = (name: string): CostHistory =>
  JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'histories', name), 'utf8')) as CostHistory;

describe('history cost (bench/workflow-cost.ts)', () => {
  it('counts a conversion whose first delivery attempt succeeded inside its workflow: one task, no round trip, no child', () => {
    const cost = historyCost([fixture('conversion-first-attempt-delivered.json')]);
    expect(cost).toEqual({
      workflows: 1,
      workflowTasks: 1,
      events: 18,
      activities: 0,
      localActivities: 6,
      childWorkflows: 0,
      timers: 1,
      searchAttributeUpserts: 4,
    });
  });

  it('counts a conversion and the retry workflow it started after a failed first attempt', () => {
    const parent = fixture('conversion-first-attempt-failed.json');
    expect(childWorkflowIds(parent)).toEqual([expect.stringMatching(/^delivery-dl_\w+$/)]);
    const cost = historyCost([parent, fixture('delivery-continued-after-first-attempt.json')]);
    expect(cost).toMatchObject({ workflows: 2, workflowTasks: 6, activities: 1, childWorkflows: 1, localActivities: 8, timers: 2 });
  });

  it('reads remote activities and children from an older history', () => {
    const cost = historyCost([fixture('conversion-with-deliveries.json')]);
    expect(cost.activities).toBeGreaterThan(0);
    expect(cost.childWorkflows).toBe(2);
    expect(cost.localActivities).toBe(0);
  });

  it('averages per conversion', () => {
    const one = historyCost([fixture('conversion-first-attempt-delivered.json')]);
    const two = historyCost([fixture('conversion-first-attempt-failed.json'), fixture('delivery-continued-after-first-attempt.json')]);
    expect(averageCost([one, two])).toMatchObject({ workflows: 1.5, workflowTasks: 3.5, childWorkflows: 0.5 });
  });
});
