/** Groups with their health counts; a group's page lists its members. */
import { useQuery } from 'urql';
import { errorMessage } from '../api/client.js';
import { GROUP_MEMBERS, GROUPS } from '../api/queries.js';
import { Link } from '../components/router.js';
import { type Status, StatusBadge } from '../components/status.js';

const ORDER = ['CRIT', 'WARN', 'UNKNOWN', 'OK', 'DISABLED'];

interface GroupRow {
  id: string;
  name: string;
  source: string;
  description: string | null;
  hostCount: number;
  healthCounts: { health: string; count: number }[];
}

export function GroupsPage({ param }: { param?: string }) {
  if (param) return <GroupMembers name={param} />;
  return <GroupList />;
}

function GroupList() {
  const [{ data, error, fetching }] = useQuery<{ groups: { edges: { node: GroupRow }[] } }>({ query: GROUPS });
  const groups = data?.groups.edges.map((e) => e.node) ?? [];
  return (
    <section aria-labelledby="groups-title">
      <h1 id="groups-title">Groups</h1>
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}
      {fetching && !data && <p>Loading…</p>}
      <table className="list">
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">Source</th>
            <th scope="col">Hosts</th>
            <th scope="col">Health</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g.id}>
              <td>
                <Link to={`/groups/${encodeURIComponent(g.name)}`}>{g.name}</Link>
                {g.description && <small className="muted"> {g.description}</small>}
              </td>
              <td>{g.source.toLowerCase()}</td>
              <td>{g.hostCount}</td>
              <td>
                {[...g.healthCounts]
                  .filter((c) => c.count > 0)
                  .sort((a, b) => ORDER.indexOf(a.health) - ORDER.indexOf(b.health))
                  .map((c) => (
                    <span key={c.health} className={`count s-${c.health.toLowerCase()}`}>
                      {c.count} {c.health}
                    </span>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function GroupMembers({ name }: { name: string }) {
  const [{ data, error, fetching }] = useQuery<{ group: { name: string; hosts: { id: string; name: string; health: Status; enabled: boolean }[] } | null }>({
    query: GROUP_MEMBERS,
    variables: { name },
  });
  const g = data?.group;
  return (
    <section aria-labelledby="group-title">
      <p>
        <Link to="/groups">← All groups</Link>
      </p>
      <h1 id="group-title">Group {name}</h1>
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}
      {!g ? (
        <p>{fetching ? 'Loading…' : 'No such group.'}</p>
      ) : (
        <ul className="members">
          {g.hosts.map((h) => (
            <li key={h.id}>
              <Link to={`/hosts/${encodeURIComponent(h.name)}`}>{h.name}</Link> <StatusBadge status={h.health} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
