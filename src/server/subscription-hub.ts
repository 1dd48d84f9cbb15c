/**
 * Shared subscription execution: subscribers with the same document, variables and rights share
 * one execution, so an event is resolved once (not once per subscriber) and every member gets
 * the same result object, serialised once. Socket members are written in passes: events that
 * arrive during a pass go out together in the next one, one write per socket, so a burst or a
 * busy moment costs about one event's writes instead of piling up. Each member has a bounded
 * queue (or a socket whose backlog is watched): a slow consumer loses events rather than holding
 * the others back or growing memory.
 */
import type { ExecutionResult } from 'graphql';

type Source = AsyncIterable<ExecutionResult> | ExecutionResult;

/**
 * Where a member's results go when the transport lets the hub write them itself: the result is
 * serialised once per event and the same JSON is handed to every sink.
 */
export interface Sink {
  /**
   * Writes these results (JSON, UTF-8 encoded once for every sink) to the subscriber, in order.
   * Several arrive together when events came faster than one pass over the subscribers: the
   * transport writes them in one go (one system call per socket rather than one per event), so a
   * burst costs little more than one event.
   */
  send(payloadJsons: readonly Buffer[]): void;
  /** Bytes queued on the socket and not yet sent: a slow consumer. */
  buffered(): number;
}

interface Member {
  queue: ExecutionResult[];
  wake: (() => void) | null;
  done: boolean;
  dropped: number;
  sink?: Sink;
}

interface Shared {
  members: Set<Member>;
  abort: AbortController;
  /** Serialised results not yet written to the sinks, and the write pass under way (if any). */
  pending: Buffer[];
  flushing: Promise<void> | null;
}

export const MEMBER_QUEUE_LIMIT = 256;
/** A sink with more than this many bytes waiting skips events until it catches up. */
export const SINK_BUFFER_LIMIT = 1 << 20;
/**
 * Sinks written per turn of the event loop, so a very large audience does not hold up other work.
 * Not smaller: a pass over 1,000 sockets takes ~10 ms, and a turn given away mid-pass measurably
 * lengthened it (bench/fanout); events arriving meanwhile are not starved, they join the next pass.
 */
export const SINK_CHUNK = 2000;

export class SubscriptionHub {
  private readonly shared = new Map<string, Shared>();

  /** Live shared executions (for metrics and tests). */
  get size(): number {
    return this.shared.size;
  }

  /** Subscribers across all shared executions. */
  get members(): number {
    let n = 0;
    for (const e of this.shared.values()) n += e.members.size;
    return n;
  }

  /**
   * Joins the shared execution for `key`, starting it with `start(signal)` when it is the first.
   * A start that answers with a single result (e.g. refused) is returned as it is, not shared.
   */
  async join(key: string, start: (signal: AbortSignal) => Promise<Source>, sink?: Sink): Promise<Source> {
    let entry = this.shared.get(key);
    if (!entry) {
      const abort = new AbortController();
      const source = await start(abort.signal);
      if (!(Symbol.asyncIterator in (source as object))) {
        abort.abort();
        return source;
      }
      entry = this.shared.get(key); // another subscriber may have started it meanwhile
      if (entry) {
        abort.abort();
        void (source as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]().return?.();
      } else {
        entry = { members: new Set(), abort, pending: [], flushing: null };
        this.shared.set(key, entry);
        void this.pump(key, entry, source as AsyncIterable<ExecutionResult>);
      }
    }
    return this.member(key, entry, sink);
  }

  private async pump(key: string, entry: Shared, source: AsyncIterable<ExecutionResult>): Promise<void> {
    const it = source[Symbol.asyncIterator]();
    entry.abort.signal.addEventListener('abort', () => void it.return?.(), { once: true });
    try {
      for (;;) {
        const { value, done } = await it.next();
        if (done || entry.abort.signal.aborted) break;
        let sinks = false;
        for (const m of entry.members) {
          if (m.sink) {
            sinks = true;
            continue;
          }
          m.queue.push(value);
          if (m.queue.length > MEMBER_QUEUE_LIMIT) {
            m.queue.shift();
            m.dropped++;
          }
          m.wake?.();
        }
        if (!sinks) continue;
        // Serialised and encoded once; written on the next turn, so events already queued behind
        // this one are executed first and go out in the same pass.
        entry.pending.push(Buffer.from(JSON.stringify(value)));
        entry.flushing ??= new Promise<void>((r) => setImmediate(r)).then(() => this.flush(entry));
      }
    } catch {
      // The source failed: end every member; clients resubscribe.
    } finally {
      if (this.shared.get(key) === entry) this.shared.delete(key);
      // What was executed goes out before the members end (graphql-ws then sends "complete").
      await entry.flushing;
      for (const m of entry.members) {
        m.done = true;
        m.wake?.();
      }
    }
  }

  /** Writes the pending results to every sink, SINK_CHUNK sinks per turn, until none are pending. */
  private async flush(entry: Shared): Promise<void> {
    try {
      while (entry.pending.length > 0) {
        const batch = entry.pending;
        entry.pending = [];
        let n = 0;
        for (const m of [...entry.members]) {
          if (!m.sink || m.done) continue;
          try {
            if (m.sink.buffered() > SINK_BUFFER_LIMIT) m.dropped += batch.length;
            else m.sink.send(batch);
          } catch {
            // A socket closing under us: it leaves on its own; the others still get the batch.
          }
          if (++n % SINK_CHUNK === 0) await new Promise<void>((r) => setImmediate(r));
        }
      }
    } finally {
      entry.flushing = null;
    }
  }

  /** With a sink the iterator yields nothing (the hub writes to the sink) and ends with the source. */
  private member(key: string, entry: Shared, sink?: Sink): AsyncIterableIterator<ExecutionResult> {
    const m: Member = { queue: [], wake: null, done: false, dropped: 0, sink };
    entry.members.add(m);
    const leave = () => {
      m.done = true;
      entry.members.delete(m);
      m.wake?.();
      if (entry.members.size === 0 && this.shared.get(key) === entry) {
        this.shared.delete(key);
        entry.abort.abort();
      }
    };
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      [Symbol.asyncIterator]: () => iterator,
      async next() {
        while (m.queue.length === 0 && !m.done) await new Promise<void>((r) => (m.wake = r));
        m.wake = null;
        if (m.queue.length) return { value: m.queue.shift()!, done: false };
        return { value: undefined, done: true };
      },
      async return() {
        leave();
        return { value: undefined, done: true };
      },
    };
    return iterator;
  }
}
