import { EventEmitter } from 'node:events';
import type { mongo } from 'mongoose';
import { connectOptions } from '../../models/connect';
import { observeDriverEvents } from '../../models/driver-events';

/** The reachability lines ops read during an outage, from driver events emitted by hand. */
function harness(verbose = false) {
  const client = new EventEmitter();
  const lines: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
  let clock = 1_000;
  observeDriverEvents(client as unknown as mongo.MongoClient, {
    log: {
      info: (fields, msg) => lines.push({ level: 'info', msg, fields }),
      warn: (fields, msg) => lines.push({ level: 'warn', msg, fields }),
    },
    verbose,
    now: () => clock,
  });
  const change = (from: string, to: string, error?: string) =>
    client.emit('serverDescriptionChanged', {
      address: '127.0.0.1:27017',
      previousDescription: { type: from },
      newDescription: { type: to, error: error ? new Error(error) : undefined },
    });
  return { client, lines, change, advance: (ms: number) => (clock += ms) };
}

describe('MongoDB driver events', () => {
  it('logs when the server becomes unreachable and how long it was gone when it is back', () => {
    const h = harness();
    h.change('Unknown', 'Standalone'); // the first connection: not a recovery
    h.change('Standalone', 'Unknown', 'connection 7 to 127.0.0.1:27017 closed');
    h.advance(4_200);
    h.change('Unknown', 'Standalone');
    expect(h.lines.map((l) => `${l.level} ${l.msg}`)).toEqual([
      'warn MongoDB unreachable: connection 7 to 127.0.0.1:27017 closed',
      'info MongoDB reachable again after 4200 ms',
    ]);
    expect(h.lines[1]!.fields.down_for_ms).toBe(4_200);
  });

  it('measures from the first failure when the error changes while the server stays down', () => {
    const h = harness();
    h.change('Standalone', 'Unknown', 'connection 7 closed');
    h.advance(1_000);
    h.client.emit('serverDescriptionChanged', {
      address: 'a',
      previousDescription: { type: 'Unknown' },
      newDescription: { type: 'Unknown', error: new Error('ECONNREFUSED') },
    });
    h.advance(2_000);
    h.change('Unknown', 'RSPrimary');
    expect(h.lines.at(-1)!.msg).toBe('MongoDB reachable again after 3000 ms');
  });

  it('writes heartbeat and pool events only when asked to', () => {
    const quiet = harness(false);
    quiet.client.emit('serverHeartbeatFailed', { connectionId: 'a', duration: 3, failure: new Error('refused') });
    quiet.client.emit('connectionPoolCleared', { address: 'a' });
    expect(quiet.lines).toEqual([]);
    const verbose = harness(true);
    verbose.client.emit('serverHeartbeatFailed', { connectionId: 'a', duration: 3, failure: new Error('refused') });
    verbose.client.emit('connectionPoolCleared', { address: 'a' });
    expect(verbose.lines.map((l) => l.msg)).toEqual(['mongodb driver: serverHeartbeatFailed', 'mongodb driver: connectionPoolCleared']);
    expect(verbose.lines[0]!.fields.mongo_error).toBe('refused');
  });
});

describe('MongoDB write concern', () => {
  it('acknowledges a write only once a majority has it in the journal', () => {
    expect(connectOptions().writeConcern).toEqual({ w: 'majority', journal: true });
  });
});

describe('a client replaced after an outage', () => {
  it('logs the recovery when the new client is observed, since it connected before being watched', () => {
    const state = {};
    const lines: string[] = [];
    const log = {
      info: (_: unknown, msg: string) => lines.push(msg),
      warn: (_: unknown, msg: string) => lines.push(msg),
    };
    let clock = 0;
    const old = new EventEmitter();
    observeDriverEvents(old as unknown as mongo.MongoClient, { log, verbose: false, state, now: () => clock });
    old.emit('serverDescriptionChanged', {
      address: 'a',
      previousDescription: { type: 'Standalone' },
      newDescription: { type: 'Unknown', error: new Error('closed') },
    });
    clock = 7_000;
    observeDriverEvents(new EventEmitter() as unknown as mongo.MongoClient, {
      log,
      verbose: false,
      state,
      now: () => clock,
    });
    expect(lines).toEqual(['MongoDB unreachable: closed', 'MongoDB reachable again after 7000 ms']);
  });
});
