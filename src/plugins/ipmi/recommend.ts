/**
 * POWER_CYCLE: the host has answered neither ping nor ssh for a while, its BMC answers and says
 * power is on, and (where Slurm knows the node) Slurm says it is not responding and runs no jobs.
 * ESCALATE instead when a power cycle already ran on it within 24 hours: repeating it hides a fault.
 */
import type { HostFacts, RecommendationRule } from '../../core/plugin.js';

const minutes = (ms: number) => Math.round(ms / 60_000);

export function createPowerCycleRule(afterS: number): RecommendationRule {
  return {
    id: 'ipmi.power-cycle-unreachable',
    evaluate(facts: HostFacts) {
      const probes = (['ping', 'ssh'] as const).map((k) => [k, facts.checks[k]] as const).filter(([, c]) => c !== undefined);
      if (probes.length === 0 || probes.some(([, c]) => c!.status !== 'CRIT')) return null;
      const darkSince = Math.max(...probes.map(([, c]) => c!.since.getTime()));
      const darkMs = facts.now.getTime() - darkSince;
      if (darkMs < afterS * 1000) return null;
      const bmc = facts.checks.ipmi;
      if (bmc?.status !== 'OK' || bmc.metrics?.power !== 1) return null;
      const slurm = facts.checks.slurm;
      if (slurm) {
        if ((slurm.metrics?.alloc_cpus ?? 0) > 0) return null; // jobs running: admin + force only
        if (!/not responding|down|fail/i.test(slurm.summary)) return null;
      }
      const what = probes.map(([k]) => k).join(' and ');
      const priorCycle = facts.recentActions.find((a) => a.action === 'ipmi.power' && (a.params?.action === 'cycle' || a.params?.action === 'reset'));
      if (priorCycle) {
        return {
          action: 'ESCALATE',
          confidence: 0.8,
          explanation: `${facts.host.name} went dark again (${what} CRIT for ${minutes(darkMs)} min) after a power ${priorCycle.params?.action} ${minutes(facts.now.getTime() - priorCycle.at.getTime())} min ago; hand it to hardware support instead of cycling again`,
        };
      }
      return {
        action: 'POWER_CYCLE',
        confidence: slurm ? 0.9 : 0.75,
        explanation: `${what} CRIT for ${minutes(darkMs)} min; the BMC answers and power is on${slurm ? `; Slurm: ${slurm.summary}` : ''} — a power cycle is likely to bring it back`,
      };
    },
  };
}
