import { formatTime } from './status.js';

export interface AuditRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  targets: string[];
  reason: string | null;
  outcome: string;
}

export function AuditTable({ events }: { events: AuditRow[] }) {
  return (
    <table className="list audit">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Actor</th>
          <th scope="col">Action</th>
          <th scope="col">Hosts</th>
          <th scope="col">Reason</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id}>
            <td title={e.at}>{formatTime(e.at)}</td>
            <td>{e.actor}</td>
            <td className="mono">{e.action}</td>
            <td className="ellipsis" title={e.targets.join(', ')}>
              {e.targets.join(', ')}
            </td>
            <td>{e.reason}</td>
            <td>
              <span className={`badge o-${e.outcome.toLowerCase()}`}>{e.outcome}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
