/**
 * One host: checks with history sparklines, power, Slurm, disks, BOINC, recommendations, the
 * audit events that named it, and the actions the user's grants allow. Each plugin section has
 * its own small query, so a backend that is slow or absent only affects its own panel.
 */
import type { ReactNode } from 'react';
import { type AnyVariables, type DocumentInput, useQuery, useSubscription } from 'urql';
import { errorMessage } from '../api/client.js';
import {
  AUDIT_EVENTS,
  CHECK_HISTORY,
  CHECK_STATE_CHANGED,
  HOST,
  HOST_BOINC,
  HOST_DISKS,
  HOST_POWER,
  HOST_RECOMMENDATIONS,
  HOST_SLURM,
  HOST_UPDATED,
} from '../api/queries.js';
import { type AuditRow, AuditTable } from '../components/audit-table.js';
import { HostActions } from '../components/host-actions.js';
import { Link } from '../components/router.js';
import { Sparkline } from '../components/sparkline.js';
import { formatAgo, formatTime, type Status, StatusBadge } from '../components/status.js';

interface CheckState {
  kind: string;
  checkName: string;
  status: Status;
  lastStatus: Status;
  summary: string;
  since: string;
  observedAt: string;
  consecutiveFailures: number;
  metrics: Record<string, number> | null;
}
interface HostData {
  id: string;
  name: string;
  address: string | null;
  enabled: boolean;
  disabledReason: string | null;
  groups: { name: string }[];
  labels: Record<string, string>;
  health: Status;
  checks: CheckState[];
}

function useHostQuery<T>(query: DocumentInput<any, AnyVariables>, name: string) {
  return useQuery<{ host: ({ id: string } & T) | null }>({ query, variables: { name } });
}

function Panel({ title, error, children }: { title: string; error?: string | null; children: ReactNode }) {
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      {error ? <p className="muted">Not available: {error}</p> : children}
    </section>
  );
}

export function HostPage({ param: name = '' }: { param?: string }) {
  const [{ data, error, fetching }, refetch] = useHostQuery<HostData>(HOST, name);
  const power = useHostQuery<{ power: { reachable: boolean; state: string; lastChangedAt: string | null; error: string | null } | null }>(HOST_POWER, name);
  const slurm = useHostQuery<{ slurm: { state: string; flags: string[]; reason: string | null; reasonUser: string | null; partitions: string[]; cpus: number | null; memoryMb: number | null; busy: boolean } | null }>(HOST_SLURM, name);
  const boinc = useHostQuery<{ boinc: BoincData | null }>(HOST_BOINC, name);
  const recs = useHostQuery<{ recommendations: Recommendation[] }>(HOST_RECOMMENDATIONS, name);
  const host = data?.host;
  const groups = host?.groups.map((g) => g.name) ?? [];

  // Live: this host's events refetch just this host (one row's worth of data).
  const refresh = () => {
    refetch({ requestPolicy: 'network-only' });
    power[1]({ requestPolicy: 'network-only' });
    slurm[1]({ requestPolicy: 'network-only' });
    recs[1]({ requestPolicy: 'network-only' });
  };
  useSubscription({ query: HOST_UPDATED, variables: {}, pause: !host }, (_prev: unknown, d: { hostUpdated?: { id: string } }) => {
    if (d.hostUpdated?.id === host?.id) refresh();
    return d;
  });
  useSubscription({ query: CHECK_STATE_CHANGED, variables: {}, pause: !host }, (_prev: unknown, d: { checkStateChanged?: { host: { id: string } } }) => {
    if (d.checkStateChanged?.host.id === host?.id) refetch({ requestPolicy: 'network-only' });
    return d;
  });

  if (error) return <p role="alert" className="error">{errorMessage(error)}</p>;
  if (!host) return <p>{fetching ? 'Loading…' : `No host named ${name}.`}</p>;
  const uptime = host.checks.map((c) => c.metrics?.uptime_s).find((v) => typeof v === 'number');
  const pw = power[0].data?.host?.power;
  const sl = slurm[0].data?.host?.slurm;
  const bo = boinc[0].data?.host?.boinc;

  return (
    <article className="host-page" aria-labelledby="host-title">
      <header className="host-head">
        <h1 id="host-title">
          {host.name} <StatusBadge status={host.health} />
        </h1>
        <dl className="facts">
          <dt>Address</dt>
          <dd className="mono">{host.address ?? '–'}</dd>
          <dt>Groups</dt>
          <dd>{groups.map((g) => <Link key={g} to={`/groups/${encodeURIComponent(g)}`}>{g} </Link>)}</dd>
          <dt>Labels</dt>
          <dd className="mono">{Object.entries(host.labels).map(([k, v]) => `${k}=${v}`).join(' ') || '–'}</dd>
          <dt>Uptime</dt>
          <dd>{uptime === undefined ? '–' : formatDuration(uptime)}</dd>
          <dt>Power</dt>
          <dd>{pw ? `${pw.state}${pw.reachable ? '' : ' (BMC unreachable)'}` : '–'}</dd>
          <dt>Slurm</dt>
          <dd>{sl ? [sl.state, ...sl.flags].join(' ') : '–'}</dd>
          <dt>State</dt>
          <dd>{host.enabled ? 'enabled' : `disabled: ${host.disabledReason ?? ''}`}</dd>
        </dl>
        <HostActions
          targets={[{ name: host.name, groups, enabled: host.enabled }]}
          families={{ enable: true, power: !!pw, slurm: !!sl, boinc: !!bo }}
          recommended={recs[0].data?.host?.recommendations.map((r) => r.action) ?? []}
          onDone={refresh}
        />
      </header>

      <Panel title="Checks">
        {host.checks.length === 0 ? (
          <p className="muted">No checks apply to this host.</p>
        ) : (
          <table className="list">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">State</th>
                <th scope="col">Summary</th>
                <th scope="col">Since</th>
                <th scope="col">History</th>
              </tr>
            </thead>
            <tbody>
              {host.checks.map((c) => (
                <tr key={c.checkName}>
                  <td>
                    {c.checkName} <small className="muted">{c.kind}</small>
                  </td>
                  <td>
                    <StatusBadge status={c.status} summary={c.summary} />
                  </td>
                  <td>{c.summary}</td>
                  <td title={formatTime(c.since)}>{formatAgo(c.since)}</td>
                  <td>
                    <History name={host.name} kind={c.kind} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>

      <div className="panels">
        <Panel title="Power" error={errorMessage(power[0].error)}>
          {pw ? (
            <p>
              {pw.state} {pw.reachable ? '' : '· BMC unreachable'} {pw.error && <span className="error">{pw.error}</span>}
              {pw.lastChangedAt && <small className="muted"> · changed {formatAgo(pw.lastChangedAt)}</small>}
            </p>
          ) : (
            <p className="muted">No BMC configured.</p>
          )}
        </Panel>
        <Panel title="Slurm" error={errorMessage(slurm[0].error)}>
          {sl ? (
            <p>
              {sl.state} {sl.flags.join(' ')} · partitions {sl.partitions.join(', ') || '–'}
              {sl.reason && (
                <>
                  <br />
                  Reason: {sl.reason} {sl.reasonUser && `(${sl.reasonUser})`}
                </>
              )}
            </p>
          ) : (
            <p className="muted">Not a Slurm node.</p>
          )}
        </Panel>
        <Disks name={host.name} />
        <Recommendations recs={recs[0].data?.host?.recommendations ?? []} error={errorMessage(recs[0].error)} />
      </div>
      <Boinc data={bo} error={errorMessage(boinc[0].error)} />
      <HostAudit name={host.name} />
    </article>
  );
}

function formatDuration(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m`;
}

function History({ name, kind }: { name: string; kind: string }) {
  const [{ data, error }] = useQuery<{ host: { checkHistory: { status: string; durationMs: number; metrics: Record<string, number> | null }[] } | null }>({
    query: CHECK_HISTORY,
    variables: { name, kind },
  });
  if (error) return <span className="muted">–</span>;
  // Oldest first; plot the first numeric metric (e.g. rtt, load) or else the check's duration.
  const h = [...(data?.host?.checkHistory ?? [])].reverse();
  const metric = h.flatMap((r) => Object.keys(r.metrics ?? {}))[0];
  const values = h.map((r) => (metric && typeof r.metrics?.[metric] === 'number' ? r.metrics[metric] : r.durationMs));
  return <Sparkline values={values} statuses={h.map((r) => r.status)} label={`${kind} history: ${metric ?? 'duration ms'}, ${values.length} results`} />;
}

function Disks({ name }: { name: string }) {
  const [{ data, error }] = useHostQuery<{ disks: { mount: string; filesystem: string; sizeKb: number; usedKb: number; usePct: number | null }[] }>(HOST_DISKS, name);
  const disks = data?.host?.disks ?? [];
  return (
    <Panel title="Disks" error={errorMessage(error)}>
      {disks.length === 0 ? (
        <p className="muted">No disk data.</p>
      ) : (
        <ul className="disks">
          {disks.map((d) => (
            <li key={d.mount}>
              <span className="mono">{d.mount}</span>{' '}
              <meter min={0} max={100} low={80} high={90} optimum={0} value={d.usePct ?? 0} aria-label={`${d.mount} used`} /> {d.usePct ?? '?'}% of{' '}
              {(d.sizeKb / 1048576).toFixed(1)} GiB
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

interface Recommendation {
  action: string;
  confidence: number;
  explanation: string;
}

function Recommendations({ recs, error }: { recs: Recommendation[]; error: string | null }) {
  return (
    <Panel title="Recommendations" error={error}>
      {recs.length === 0 ? (
        <p className="muted">Nothing to recommend.</p>
      ) : (
        <ul>
          {recs.map((r) => (
            <li key={r.action}>
              <strong>{r.action}</strong> ({Math.round(r.confidence * 100)}%): {r.explanation}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

interface BoincData {
  reachable: boolean;
  error: string | null;
  version: string | null;
  runMode: string | null;
  gpuMode: string | null;
  networkMode: string | null;
  projects: { url: string; name: string; suspended: boolean; dontRequestMoreWork: boolean; hostCredit: number }[];
  tasks: { name: string; projectName: string | null; state: string; fractionDone: number; remainingS: number | null }[];
}

function Boinc({ data, error }: { data: BoincData | null | undefined; error: string | null }) {
  if (!data && !error) return null;
  return (
    <Panel title="BOINC" error={error}>
      {data && (
        <>
          <p>
            {data.reachable ? `client ${data.version ?? ''}` : `unreachable: ${data.error ?? ''}`} · run {data.runMode ?? '–'} · GPU {data.gpuMode ?? '–'} · network {data.networkMode ?? '–'}
          </p>
          <h3>Projects</h3>
          <ul>
            {data.projects.map((p) => (
              <li key={p.url}>
                {p.name} <small className="muted">{p.url}</small> {p.suspended && '· suspended'} {p.dontRequestMoreWork && '· no new work'}
              </li>
            ))}
          </ul>
          <h3>Tasks</h3>
          <table className="list">
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Project</th>
                <th scope="col">State</th>
                <th scope="col">Done</th>
              </tr>
            </thead>
            <tbody>
              {data.tasks.map((t) => (
                <tr key={t.name}>
                  <td className="mono">{t.name}</td>
                  <td>{t.projectName}</td>
                  <td>{t.state}</td>
                  <td>
                    <progress max={1} value={t.fractionDone} aria-label={`${t.name} progress`} /> {Math.round(t.fractionDone * 100)}%
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Panel>
  );
}

function HostAudit({ name }: { name: string }) {
  const [{ data, error }] = useQuery<{ auditEvents: { edges: { node: AuditRow }[] } }>({ query: AUDIT_EVENTS, variables: { filter: { host: name }, first: 20 }, requestPolicy: 'network-only' });
  const events = data?.auditEvents.edges.map((e) => e.node) ?? [];
  return (
    <Panel title="Audit events" error={errorMessage(error)}>
      {events.length === 0 ? <p className="muted">No events.</p> : <AuditTable events={events} />}
      <Link to={`/audit?host=${encodeURIComponent(name)}`}>All events for {name}</Link>
    </Panel>
  );
}
