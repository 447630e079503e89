import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { conversionWorkflowId } from '../../domain/workflow-ids';
import { which } from '../../scripts/infra/paths';
import { postgresBinDir } from '../../scripts/infra/postgres';
import { provisionInfrastructure, type Infrastructure } from '../../scripts/infra/provision';
import { CLUSTER_SERVICES } from '../../scripts/infra/temporal-cluster';
import { allSearchAttributeKeys } from '../../temporal/search-attributes';
import { fixtures } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * POSTFLOW_TEMPORAL=cluster: four Temporal services on PostgreSQL, provisioned as the tests
 * provision the dev server, then a conversion through the whole system on it. Opt-in
 * (POSTFLOW_TEST_CLUSTER=1): the first run builds the server with Go, minutes on a cold cache.
 */
function unavailable(): string | undefined {
  if (!process.env.POSTFLOW_TEST_CLUSTER) return 'set POSTFLOW_TEST_CLUSTER=1 to run it (builds the Temporal server with Go once)';
  if (!which('go')) return 'no Go to build the Temporal server';
  if (!postgresBinDir()) return 'no PostgreSQL binaries (apt-get install postgresql)';
  return undefined;
}

const reason = unavailable();
const describeCluster = reason ? describe.skip : describe;
const title = `POSTFLOW_TEMPORAL=cluster${reason ? ` (skipped: ${reason})` : ''}`;

describeCluster(title, () => {
  let logDir: string;
  let infra: Infrastructure;
  let connection: Connection;
  let stack: TestStack | undefined;

  beforeAll(async () => {
    logDir = mkdtempSync(path.join(os.tmpdir(), 'postflow-cluster-test-')); // here, not in the body: a skipped describe runs its body too
    infra = await provisionInfrastructure({
      mode: 'test',
      dataDir: logDir,
      // The run's MongoDB serves the stack below; only Temporal is provisioned here.
      env: { MONGO_URL: 'mongodb://unused.invalid', POSTFLOW_TEMPORAL: 'cluster' },
      namespace: 'default',
      sinkFor: (component) => ({ file: path.join(logDir, `${component}.log`) }),
      log: (line) => process.stderr.write(`[cluster-test] ${line}\n`),
    });
    connection = await Connection.connect({ address: infra.temporalAddress });
  }, 15 * 60_000); // a cold build of the server is minutes

  afterAll(async () => {
    await stack?.stop();
    await connection?.close();
    await infra?.stop();
    if (logDir && !process.env.POSTFLOW_KEEP_TEST_LOGS) rmSync(logDir, { recursive: true, force: true });
  }, 120_000);

  it('runs the four services, each with a log of its own, and PostgreSQL', () => {
    expect(infra.temporalUiUrl).toBeUndefined();
    expect(infra.summary.join('\n')).toMatch(/Temporal cluster .*frontend, history, matching, worker/);
    for (const service of CLUSTER_SERVICES) expect(existsSync(path.join(logDir, `temporal-${service}.log`))).toBe(true);
    expect(readFileSync(path.join(logDir, 'postgres.log'), 'utf8')).toMatch(/ready to accept connections/);
  });

  it('has the namespace and every postflow search attribute (Keyword)', async () => {
    const described = await connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(described.namespaceInfo?.name).toBe('default');
    const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
    for (const key of allSearchAttributeKeys) expect(listed.customAttributes?.[key.name]).toBe(KEYWORD);
  });

  it('carries a postback through the conversion workflow to an approved conversion', async () => {
    stack = await startTestStack('cluster', { temporalAddress: infra.temporalAddress });
    const f = fixtures(stack);
    const s = await f.setup();
    const res = await f.http().get('/postback').query({ click_id: s.clickId, txid: 'cluster-1', amount: '40.00', token: s.token });
    expect(res.status).toBe(200);
    const id = res.body.conversion_id as string;
    const doc = await waitFor(
      `conversion ${id} approved on the cluster`,
      async () => {
        const got = await f.admin('get', `/api/conversions/${id}`);
        return got.status === 200 && got.body.status === 'approved' ? got.body : undefined;
      },
      60_000,
    );
    expect(doc).toMatchObject({ click_id: s.clickId, txid: 'cluster-1', payout: '5.00' });
    // The workflow ran on the cluster and is found by postflow's search attribute there.
    const found = await waitFor(
      'the conversion workflow listed by PostflowClickId',
      async () => {
        const list = await connection.workflowService.listWorkflowExecutions({
          namespace: 'default',
          query: `PostflowClickId = '${s.clickId}'`,
        });
        return list.executions?.length ? list.executions : undefined;
      },
      30_000,
      250,
    );
    expect(found.map((e) => e.execution?.workflowId)).toContain(conversionWorkflowId(id));
  }, 120_000);
});
