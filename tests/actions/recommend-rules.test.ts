/** The POWER_CYCLE / ESCALATE and RESUME rules over constructed host facts (pure, no peers). */
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../src/core/plugin.js';
import { createPowerCycleRule } from '../../src/plugins/ipmi/recommend.js';
import { resumeRule } from '../../src/plugins/sinfo/recommend.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);
type Check = HostFacts['checks'][string];
const check = (status: Check['status'], sinceS: number, summary = '', metrics: Check['metrics'] = null): Check => ({ status, since: ago(sinceS), summary, consecutiveFailures: status === 'OK' ? 0 : 3, metrics });

function facts(checks: HostFacts['checks'], recentActions: HostFacts['recentActions'] = []): HostFacts {
  return { host: { id: 'h1', name: 'n01', address: '10.0.0.1', labels: {}, settings: undefined, enabled: true }, checks, recentActions, now: NOW };
}
const dark = (sinceS = 600) => ({ ping: check('CRIT', sinceS, '100% loss'), ssh: check('CRIT', sinceS, 'connect timed out') });
const bmcOn = check('OK', 30, 'power on', { power: 1 });

describe('POWER_CYCLE rule', () => {
  const rule = createPowerCycleRule(300);

  it('recommends a cycle when ping and ssh have been CRIT long enough and the BMC says power is on', () => {
    const r = rule.evaluate(facts({ ...dark(600), ipmi: bmcOn }));
    expect(r).toMatchObject({ action: 'POWER_CYCLE', confidence: 0.75 });
    expect(r!.explanation).toMatch(/ping and ssh CRIT for 10 min/);
  });

  it('waits until the host has been dark for powerCycleAfterS', () => {
    expect(rule.evaluate(facts({ ...dark(120), ipmi: bmcOn }))).toBeNull();
    // the most recent probe to go CRIT decides how long it has been dark
    expect(rule.evaluate(facts({ ping: check('CRIT', 900), ssh: check('CRIT', 60), ipmi: bmcOn }))).toBeNull();
  });

  it('recommends nothing when a probe is fine, the BMC is unhappy, or power is off', () => {
    expect(rule.evaluate(facts({ ping: check('OK', 600), ssh: check('CRIT', 600), ipmi: bmcOn }))).toBeNull();
    expect(rule.evaluate(facts({ ...dark(), ipmi: check('CRIT', 600, 'authentication failed') }))).toBeNull();
    expect(rule.evaluate(facts({ ...dark(), ipmi: check('OK', 600, 'power off', { power: 0 }) }))).toBeNull();
    expect(rule.evaluate(facts({ ...dark() }))).toBeNull();
    expect(rule.evaluate(facts({ ipmi: bmcOn }))).toBeNull();
  });

  it('never recommends a hard cycle while Slurm runs jobs on the node, or while Slurm says it responds', () => {
    const busy = check('CRIT', 600, 'down*: "Not responding"', { cpus: 2, alloc_cpus: 2, memory_mb: 1000 });
    expect(rule.evaluate(facts({ ...dark(), ipmi: bmcOn, slurm: busy }))).toBeNull();
    const responding = check('OK', 600, 'idle', { cpus: 2, alloc_cpus: 0, memory_mb: 1000 });
    expect(rule.evaluate(facts({ ...dark(), ipmi: bmcOn, slurm: responding }))).toBeNull();
    const gone = check('CRIT', 600, 'down*: "Not responding"', { cpus: 2, alloc_cpus: 0, memory_mb: 1000 });
    const r = rule.evaluate(facts({ ...dark(), ipmi: bmcOn, slurm: gone }));
    expect(r).toMatchObject({ action: 'POWER_CYCLE', confidence: 0.9 });
    expect(r!.explanation).toContain('Not responding');
  });

  it('escalates instead when a power cycle already ran on the host within 24 h', () => {
    const r = rule.evaluate(facts({ ...dark(), ipmi: bmcOn }, [{ action: 'ipmi.power', outcome: 'OK', at: ago(3 * 3600), params: { action: 'cycle' } }]));
    expect(r).toMatchObject({ action: 'ESCALATE' });
    expect(r!.explanation).toMatch(/after a power cycle 180 min ago/);
    // a power ON in the history is not a repeated repair
    const on = rule.evaluate(facts({ ...dark(), ipmi: bmcOn }, [{ action: 'ipmi.power', outcome: 'OK', at: ago(3600), params: { action: 'on' } }]));
    expect(on?.action).toBe('POWER_CYCLE');
  });
});

describe('RESUME rule', () => {
  const drained = check('WARN', 2 * 86_400, 'drained: "bad dimm" (by root at 2026-02-27T12:00:00Z)');

  it('recommends resuming a drained node whose ping and ssh have been OK for a day', () => {
    const r = resumeRule.evaluate(facts({ slurm: drained, ping: check('OK', 90_000), ssh: check('OK', 100_000) }));
    expect(r).toMatchObject({ action: 'RESUME' });
    expect(r!.explanation).toMatch(/n01 is drained in Slurm but ping and ssh have been OK for 25 h/);
  });

  it('recommends nothing before a day of health, with a probe failing, or when the node is not drained', () => {
    expect(resumeRule.evaluate(facts({ slurm: drained, ping: check('OK', 3600), ssh: check('OK', 100_000) }))).toBeNull();
    expect(resumeRule.evaluate(facts({ slurm: drained, ping: check('OK', 100_000), ssh: check('CRIT', 100_000) }))).toBeNull();
    expect(resumeRule.evaluate(facts({ slurm: drained }))).toBeNull();
    expect(resumeRule.evaluate(facts({ slurm: check('OK', 100_000, 'idle'), ping: check('OK', 100_000) }))).toBeNull();
  });
});
