/** RESUME: a drained node whose ping and ssh checks have been OK for a day can go back to work. */
import type { RecommendationRule } from '../../core/plugin.js';

const DAY_MS = 86_400_000;

export const resumeRule: RecommendationRule = {
  id: 'slurm.resume-healthy',
  evaluate(facts) {
    const slurm = facts.checks.slurm;
    if (slurm?.status !== 'WARN' || !/^(drained|draining)/.test(slurm.summary)) return null;
    const probes = ['ping', 'ssh'].map((k) => facts.checks[k]).filter((c) => c !== undefined);
    if (probes.length === 0 || probes.some((c) => c.status !== 'OK')) return null;
    const healthySince = Math.max(...probes.map((c) => c.since.getTime()));
    if (facts.now.getTime() - healthySince < DAY_MS) return null;
    const hours = Math.floor((facts.now.getTime() - healthySince) / 3_600_000);
    return {
      action: 'RESUME',
      confidence: 0.7,
      explanation: `${facts.host.name} is ${slurm.summary.split(':')[0]} in Slurm but ${probes.length === 2 ? 'ping and ssh have' : 'its probes have'} been OK for ${hours} h; resume it if the drain reason is resolved (${slurm.summary})`,
    };
  },
};
