/** Check definitions: the list for everyone; create and edit for operators and admins. */
import { type FormEvent, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { errorMessage } from '../api/client.js';
import { CHECK_DEFINITIONS, CREATE_CHECK, UPDATE_CHECK } from '../api/queries.js';
import { useAuth } from '../auth/auth-context.js';
import { hasRole } from '../auth/grants.js';

interface CheckDef {
  id: string;
  name: string;
  kind: string;
  hosts: string[];
  allHosts: boolean;
  intervalS: number;
  timeoutS: number;
  failThreshold: number;
  okThreshold: number;
  enabled: boolean;
  params: unknown;
}
interface Kind {
  name: string;
  plugin: string;
  description: string;
  defaultIntervalS: number;
  defaultTimeoutS: number;
}

export function ChecksPage() {
  const { user } = useAuth();
  const [{ data, error }, refetch] = useQuery<{ checkDefinitions: { edges: { node: CheckDef }[] }; checkKinds: Kind[] }>({ query: CHECK_DEFINITIONS });
  const [editing, setEditing] = useState<CheckDef | 'new' | null>(null);
  const canEdit = hasRole(user, 'OPERATOR');
  const checks = data?.checkDefinitions.edges.map((e) => e.node) ?? [];
  return (
    <section aria-labelledby="checks-title">
      <h1 id="checks-title">Checks</h1>
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}
      {canEdit && !editing && (
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          New check…
        </button>
      )}
      {editing && (
        <CheckForm
          check={editing === 'new' ? null : editing}
          kinds={data?.checkKinds ?? []}
          onDone={() => {
            setEditing(null);
            refetch({ requestPolicy: 'network-only' });
          }}
        />
      )}
      <table className="list">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Hosts</th>
            <th scope="col">Interval</th>
            <th scope="col">Timeout</th>
            <th scope="col">Thresholds</th>
            <th scope="col">Enabled</th>
            {canEdit && <th scope="col">Edit</th>}
          </tr>
        </thead>
        <tbody>
          {checks.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td className="mono">{c.kind}</td>
              <td>{c.allHosts ? 'all hosts' : c.hosts.join(', ')}</td>
              <td>{c.intervalS}s</td>
              <td>{c.timeoutS}s</td>
              <td>
                fail {c.failThreshold} · ok {c.okThreshold}
              </td>
              <td>{c.enabled ? 'yes' : 'no'}</td>
              {canEdit && (
                <td>
                  <button type="button" onClick={() => setEditing(c)} aria-label={`Edit ${c.name}`}>
                    Edit
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function CheckForm({ check, kinds, onDone }: { check: CheckDef | null; kinds: Kind[]; onDone(): void }) {
  const [, create] = useMutation(CREATE_CHECK);
  const [, update] = useMutation(UPDATE_CHECK);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const num = (k: string) => (String(f.get(k) ?? '').trim() ? Number(f.get(k)) : undefined);
    const hostsText = String(f.get('hosts') ?? '').trim();
    let params: unknown;
    try {
      params = JSON.parse(String(f.get('params') || '{}'));
    } catch {
      setError('Params must be JSON, e.g. {"warnMs": 200}');
      return;
    }
    const hosts = hostsText ? hostsText.split(/[\s,]+/).filter(Boolean) : undefined;
    const common = { intervalS: num('intervalS'), timeoutS: num('timeoutS'), failThreshold: num('failThreshold'), okThreshold: num('okThreshold'), enabled: f.get('enabled') === 'on', params };
    const r = check
      ? await update({ input: { name: check.name, ...common, ...(hosts ? { hosts } : { allHosts: true }) } })
      : await create({ input: { name: String(f.get('name')), kind: String(f.get('kind')), hosts, ...common } });
    const payload = Object.values(r.data ?? {})[0] as { message?: string } | undefined;
    if (r.error || payload?.message) setError(errorMessage(r.error) ?? payload?.message ?? 'failed');
    else onDone();
  };
  return (
    <form className="card form" onSubmit={submit} aria-label={check ? `Edit check ${check.name}` : 'New check'}>
      <h2>{check ? `Edit ${check.name}` : 'New check'}</h2>
      <label>
        Name <input name="name" required defaultValue={check?.name} readOnly={!!check} />
      </label>
      <label>
        Kind
        <select name="kind" defaultValue={check?.kind} disabled={!!check}>
          {kinds.map((k) => (
            <option key={k.name} value={k.name} title={k.description}>
              {k.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Hosts (names, ranges, @groups; empty for all) <input name="hosts" defaultValue={check && !check.allHosts ? check.hosts.join(' ') : ''} />
      </label>
      <label>
        Interval (s) <input name="intervalS" type="number" min={1} defaultValue={check?.intervalS} />
      </label>
      <label>
        Timeout (s) <input name="timeoutS" type="number" min={1} defaultValue={check?.timeoutS} />
      </label>
      <label>
        Fail threshold <input name="failThreshold" type="number" min={1} defaultValue={check?.failThreshold} />
      </label>
      <label>
        OK threshold <input name="okThreshold" type="number" min={1} defaultValue={check?.okThreshold} />
      </label>
      <label className="inline">
        <input name="enabled" type="checkbox" defaultChecked={check?.enabled ?? true} /> Enabled
      </label>
      <label>
        Params (JSON) <textarea name="params" rows={3} defaultValue={JSON.stringify(check?.params ?? {}, null, 1)} />
      </label>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="buttons">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="primary">
          Save
        </button>
      </div>
    </form>
  );
}
