/** Sensor health from `ipmitool sdr elist`: the status column says which thresholds are crossed. */

export interface SensorProblem {
  name: string;
  status: string;
  reading: string;
}

export interface SensorHealth {
  total: number;
  warning: SensorProblem[];
  critical: SensorProblem[];
}

// ipmitool's threshold status codes: non-critical → WARN, critical / non-recoverable → CRIT.
const WARN_CODES = new Set(['nc', 'lnc', 'unc']);
const CRIT_CODES = new Set(['cr', 'lcr', 'ucr', 'nr', 'lnr', 'unr']);

/** Parses lines like `CPU temp | 30h | ucr | 3.1 | 95 degrees C`; lines of another shape are ignored. */
export function parseSdrElist(stdout: string): SensorHealth {
  const health: SensorHealth = { total: 0, warning: [], critical: [] };
  for (const line of stdout.split('\n')) {
    const cols = line.split('|').map((c) => c.trim());
    if (cols.length < 5) continue;
    const [name = '', , status = '', , reading = ''] = cols;
    health.total += 1;
    const code = status.toLowerCase();
    const problem = { name, status: code, reading };
    if (CRIT_CODES.has(code)) health.critical.push(problem);
    else if (WARN_CODES.has(code)) health.warning.push(problem);
  }
  return health;
}

export function describeProblems(problems: SensorProblem[]): string {
  const shown = problems.slice(0, 3).map((p) => `${p.name} (${p.status}${p.reading ? `, ${p.reading}` : ''})`);
  return problems.length > 3 ? `${shown.join(', ')} and ${problems.length - 3} more` : shown.join(', ');
}
