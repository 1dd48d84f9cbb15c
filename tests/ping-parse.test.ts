import { describe, expect, it } from 'vitest';
import { evaluatePing } from '../src/plugins/ping/evaluate.js';
import { chunkTargets, fpingArgs, minimumRunMs } from '../src/plugins/ping/fping.js';
import { parseFpingOutput } from '../src/plugins/ping/parse.js';

const thresholds = { warnLossPct: 20, critLossPct: 100 };

describe('fping output parsing', () => {
  it('reads -C summaries: loss from dashes, RTT from the rest', () => {
    const out = parseFpingOutput(
      ['127.0.0.1    : 0.033 0.026 0.009', '10.254.254.1 : - - -', '10.0.0.7     : 1.5 - 2.5', ''].join('\n'),
    );
    expect(out.get('127.0.0.1')).toEqual({ sent: 3, received: 3, lossPct: 0, rttMinMs: 0.009, rttAvgMs: 0.023, rttMaxMs: 0.033 });
    expect(out.get('10.254.254.1')).toEqual({ sent: 3, received: 0, lossPct: 100 });
    expect(out.get('10.0.0.7')).toMatchObject({ sent: 3, received: 2, lossPct: 33.33, rttAvgMs: 2 });
  });

  it('reads -c summaries too', () => {
    const out = parseFpingOutput(
      '127.0.0.2 : xmt/rcv/%loss = 3/3/0%, min/avg/max = 0.004/0.066/0.188\n10.1.1.1 : xmt/rcv/%loss = 2/0/100%\n',
    );
    expect(out.get('127.0.0.2')).toEqual({ sent: 3, received: 3, lossPct: 0, rttMinMs: 0.004, rttAvgMs: 0.066, rttMaxMs: 0.188 });
    expect(out.get('10.1.1.1')).toEqual({ sent: 2, received: 0, lossPct: 100 });
  });

  it('ignores errors, per-probe chatter and garbage', () => {
    const out = parseFpingOutput(
      [
        'nosuchhost: Name or service not known',
        '10.1.1.1 : [0], timed out (NaN avg, 100% loss)',
        '127.0.0.1 : duplicate for [0], 64 bytes, 0.1 ms',
        ' : 1 2 3',
        'x : 0.1 abc',
        '\u0000\u0001 garbage',
      ].join('\n'),
    );
    expect(out.size).toBe(0);
  });
});

describe('ping verdicts', () => {
  it('no reply at all is CRIT with a readable summary', () => {
    const v = evaluatePing({ sent: 3, received: 0, lossPct: 100 }, thresholds);
    expect(v).toEqual({ status: 'CRIT', summary: '100% loss (no reply to 3 probes)', metrics: { loss_pct: 100 } });
  });

  it('partial loss past warnLossPct is WARN and says how many probes were lost', () => {
    const v = evaluatePing({ sent: 3, received: 2, lossPct: 33.33, rttMinMs: 0.1, rttAvgMs: 0.2, rttMaxMs: 0.3 }, thresholds);
    expect(v.status).toBe('WARN');
    expect(v.summary).toBe('33.33% loss, rtt 0.2 ms (1 of 3 probes lost)');
    expect(v.metrics).toEqual({ loss_pct: 33.33, rtt_avg_ms: 0.2, rtt_min_ms: 0.1, rtt_max_ms: 0.3 });
  });

  it('RTT thresholds compare the average', () => {
    const stats = { sent: 3, received: 3, lossPct: 0, rttMinMs: 40, rttAvgMs: 150, rttMaxMs: 300 };
    expect(evaluatePing(stats, { ...thresholds, warnRttMs: 100, critRttMs: 200 }).status).toBe('WARN');
    expect(evaluatePing(stats, { ...thresholds, warnRttMs: 100, critRttMs: 150 })).toMatchObject({
      status: 'CRIT',
      summary: '0% loss, rtt 150 ms (rtt at or above crit 150 ms)',
    });
    expect(evaluatePing(stats, thresholds).status).toBe('OK');
  });
});

describe('fping command line', () => {
  const opts = { count: 3, intervalMs: 1, periodMs: 200, timeoutMs: 500 };

  it('puts every target after --', () => {
    const argv = fpingArgs(opts, ['10.0.0.1', 'node01']);
    expect(argv.slice(-3)).toEqual(['--', '10.0.0.1', 'node01']);
    expect(argv).toContain('-C');
    expect(argv).toContain('-q');
  });

  it('keeps 10,000 addresses in one argv and splits only past the budget', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `127.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(chunkTargets(many)).toHaveLength(1);
    const chunks = chunkTargets(many, 50_000);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(many);
  });

  it('estimates the least run time from interval, period and timeout', () => {
    expect(minimumRunMs(opts, 1000)).toBe(3000 + 500);
    expect(minimumRunMs({ ...opts, intervalMs: 0 }, 1000)).toBe(400 + 500);
  });
});
