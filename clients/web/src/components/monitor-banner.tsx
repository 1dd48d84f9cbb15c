/**
 * The suspect-monitor alert, on every page: most hosts failed one check in one sweep, so Corral
 * marked none of them bad and doubts its own monitoring (the monitoring host's network, or the
 * check's tool). Shown for an hour after the last such sweep; a new one appears live.
 */
import { useQuery, useSubscription } from 'urql';
import { AUDIT_EVENT_SUB, MONITOR_ALERTS } from '../api/queries.js';

interface MonitorAlert {
  at: string;
  check: string;
  kind: string;
  failing: number;
  total: number;
  message: string;
}

export function MonitorBanner() {
  const [{ data }, refetch] = useQuery<{ monitorAlerts: MonitorAlert[] }>({ query: MONITOR_ALERTS, requestPolicy: 'network-only' });
  useSubscription({ query: AUDIT_EVENT_SUB }, (_prev: unknown, d: { auditEvent?: { action: string } }) => {
    if (d.auditEvent?.action === 'monitor.suspect') refetch({ requestPolicy: 'network-only' });
    return d;
  });
  const alerts = data?.monitorAlerts ?? [];
  const latest = alerts[0];
  if (!latest) return null;
  return (
    <div role="alert" className="monitor-alert">
      <strong>Monitor suspect:</strong> {latest.message}.{' '}
      <small>
        {new Date(latest.at).toLocaleTimeString()}
        {alerts.length > 1 ? `; ${alerts.length - 1} more in the last hour` : ''}
      </small>
    </div>
  );
}
