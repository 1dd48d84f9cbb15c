/**
 * The hub's write path on its own: results serialised once per event whatever the audience, a burst
 * written to each sink in one go and in order, a slow or broken sink never holding the others back.
 */
import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SINK_BUFFER_LIMIT, SINK_CHUNK, type Sink, SubscriptionHub } from '../../src/server/subscription-hub.js';
import { waitFor } from '../helpers/peers.js';

/** An event source the test pushes into, as a subscription's async iterable. */
function channel() {
  const queue: ExecutionResult[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  const iterable: AsyncIterable<ExecutionResult> = {
    [Symbol.asyncIterator]: () => ({
      async next() {
        while (queue.length === 0 && !ended) await new Promise<void>((r) => (wake = r));
        if (queue.length) return { value: queue.shift()!, done: false };
        return { value: undefined, done: true };
      },
      async return() {
        ended = true;
        return { value: undefined, done: true };
      },
    }),
  };
  return {
    iterable,
    push(...rs: ExecutionResult[]) {
      queue.push(...rs);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
  };
}

/** A result that counts how often it is serialised. */
function counted(n: number, serialised: { count: number }): ExecutionResult {
  const data = { n };
  const toJSON = () => {
    serialised.count++;
    return { data };
  };
  // JSON.stringify calls toJSON: the count is the number of serialisations.
  return { data, toJSON } as unknown as ExecutionResult;
}

function recorder(buffered = 0): Sink & { writes: string[][]; messages(): number[] } {
  const writes: string[][] = [];
  return {
    writes,
    send: (jsons) => void writes.push(jsons.map((j) => j.toString('utf8'))),
    buffered: () => buffered,
    messages: () => writes.flat().map((j) => (JSON.parse(j) as { data: { n: number } }).data.n),
  };
}

async function joinAll(hub: SubscriptionHub, source: AsyncIterable<ExecutionResult>, sinks: Sink[]) {
  for (const sink of sinks) await hub.join('doc', async () => source, sink);
}

describe('SubscriptionHub', () => {
  it('serialises each event once for every subscriber and writes a burst to each socket in one go, in order', async () => {
    const hub = new SubscriptionHub();
    const ch = channel();
    const sinks = Array.from({ length: 50 }, () => recorder());
    await joinAll(hub, ch.iterable, sinks);
    expect(hub.size).toBe(1);
    const serialised = { count: 0 };
    ch.push(...Array.from({ length: 200 }, (_, i) => counted(i, serialised)));
    await waitFor(() => sinks.every((s) => s.messages().length === 200), 5000, 'every sink to get the burst');
    const expected = Array.from({ length: 200 }, (_, i) => i);
    for (const s of sinks) {
      expect(s.messages()).toEqual(expected);
      // 200 events ready at once leave in one write per socket, not 200.
      expect(s.writes.length).toBe(1);
    }
    expect(serialised.count).toBe(200);
  });

  it('events executed just before the source ends still reach the sinks before their iterators end', async () => {
    const hub = new SubscriptionHub();
    const ch = channel();
    const sink = recorder();
    const member = (await hub.join('doc', async () => ch.iterable, sink)) as AsyncIterableIterator<ExecutionResult>;
    const ended = member.next().then(() => sink.messages().length);
    const serialised = { count: 0 };
    ch.push(counted(1, serialised), counted(2, serialised));
    ch.end();
    // The transport sends "complete" when the member ends: by then both events were written.
    expect(await ended).toBe(2);
  });

  it('a single event goes out on its own, without waiting for more', async () => {
    const hub = new SubscriptionHub();
    const ch = channel();
    const sink = recorder();
    await joinAll(hub, ch.iterable, [sink]);
    const serialised = { count: 0 };
    ch.push(counted(1, serialised));
    await waitFor(() => sink.messages().length === 1, 1000, 'the event');
    ch.push(counted(2, serialised));
    await waitFor(() => sink.messages().length === 2, 1000, 'the second event');
    expect(sink.writes).toHaveLength(2);
  });

  it('reaches an audience larger than one write pass, in order, and skips a slow and a broken socket without holding the others', async () => {
    const hub = new SubscriptionHub();
    const ch = channel();
    const sinks = Array.from({ length: SINK_CHUNK * 2 + 7 }, () => recorder());
    const slow = recorder(SINK_BUFFER_LIMIT + 1);
    const broken: Sink = {
      send: () => {
        throw new Error('socket gone');
      },
      buffered: () => 0,
    };
    await joinAll(hub, ch.iterable, [sinks[0]!, slow, broken, ...sinks.slice(1)]);
    const serialised = { count: 0 };
    for (let i = 0; i < 30; i++) {
      ch.push(counted(i, serialised));
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => sinks.every((s) => s.messages().length === 30), 5000, 'every sink to get every event');
    for (const s of sinks) expect(s.messages()).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(slow.writes).toEqual([]);
    expect(serialised.count).toBe(30);
  });
});
