/** /metrics in Prometheus text format: hosts by health, agents online, jobs by state, process figures. */
import { sql } from 'drizzle-orm';
import { healthSql } from '../core/health.js';
import type { Db } from '../db/client.js';
import { rowsOf } from '../db/rows.js';

const startedAt = Date.now();

export async function renderMetrics(db: Db): Promise<string> {
  const health = rowsOf<{ health: string; n: number }>(await db.execute(sql`SELECT ${healthSql} AS health, count(*)::int AS n FROM hosts GROUP BY 1`));
  const agents = rowsOf<{ status: string; n: number }>(await db.execute(sql`SELECT status, count(*)::int AS n FROM agents GROUP BY 1`));
  const jobs = rowsOf<{ state: string; n: number }>(await db.execute(sql`SELECT state, count(*)::int AS n FROM jobs GROUP BY 1`));
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const lines = [
    '# HELP corral_hosts Hosts by health.',
    '# TYPE corral_hosts gauge',
    ...['OK', 'WARN', 'CRIT', 'UNKNOWN', 'DISABLED'].map((h) => `corral_hosts{health="${h}"} ${health.find((r) => r.health === h)?.n ?? 0}`),
    '# HELP corral_agents Registered agents by status.',
    '# TYPE corral_agents gauge',
    ...['ONLINE', 'OFFLINE'].map((s) => `corral_agents{status="${s}"} ${agents.find((r) => r.status === s)?.n ?? 0}`),
    '# HELP corral_jobs Jobs by state.',
    '# TYPE corral_jobs gauge',
    ...jobs.map((j) => `corral_jobs{state="${j.state.replace(/[^A-Z_]/g, '')}"} ${j.n}`),
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${mem.rss}`,
    '# HELP nodejs_heap_used_bytes V8 heap used.',
    '# TYPE nodejs_heap_used_bytes gauge',
    `nodejs_heap_used_bytes ${mem.heapUsed}`,
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
    '# HELP process_uptime_seconds Seconds since the server started.',
    '# TYPE process_uptime_seconds gauge',
    `process_uptime_seconds ${(Date.now() - startedAt) / 1000}`,
  ];
  return `${lines.join('\n')}\n`;
}
