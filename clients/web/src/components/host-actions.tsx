/**
 * Action buttons for one or many hosts, shown only when the user's grants allow them on every
 * target; each opens the confirmation dialog (hosts named, reason asked, outcome per host).
 */
import { useState } from 'react';
import { type AnyVariables, type DocumentInput, useClient } from 'urql';
import { errorMessage } from '../api/client.js';
import { BOINC_SET_MODE, POWER_ACTION, SET_HOSTS_ENABLED, SLURM_DRAIN, SLURM_RESUME } from '../api/queries.js';
import { useAuth } from '../auth/auth-context.js';
import { canOnAll, isGlobalAdmin } from '../auth/grants.js';
import { type ActionResult, ConfirmDialog, type ConfirmRequest, type HostOutcome } from './confirm-dialog.js';

export interface ActionTarget {
  name: string;
  groups: string[];
  /** Offers only the switch that changes something: Disable for enabled hosts, Enable for disabled ones. */
  enabled: boolean;
}

/** Which families of actions to offer (the host page knows whether a BMC, Slurm or BOINC is there). */
export interface ActionFamilies {
  enable?: boolean;
  power?: boolean;
  slurm?: boolean;
  boinc?: boolean;
}

type Sender = (doc: DocumentInput<any, AnyVariables>, vars: AnyVariables) => Promise<ActionResult>;

function useSender(): Sender {
  const client = useClient();
  return async (doc, vars) => {
    const r = await client.mutation(doc, vars).toPromise();
    if (r.error) return { outcomes: [], error: errorMessage(r.error) ?? 'failed' };
    const payload = Object.values(r.data ?? {})[0] as { __typename?: string; outcomes?: HostOutcome[]; message?: string } | undefined;
    if (!payload) return { outcomes: [], error: 'no answer' };
    if (payload.message && !payload.outcomes) return { outcomes: [], error: payload.message };
    return { outcomes: payload.outcomes ?? [] };
  };
}

/**
 * `recommended`: the recommendation actions every target has (host page); undefined when not known
 * (bulk), where the server decides per host and a refusal is shown in the dialog.
 */
export function HostActions({ targets, families, recommended, onDone }: { targets: ActionTarget[]; families: ActionFamilies; recommended?: string[]; onDone?(): void }) {
  const { user } = useAuth();
  const send = useSender();
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const [boinc, setBoinc] = useState({ what: 'RUN', mode: 'NEVER' });
  if (!canOnAll(user, 'OPERATOR', targets.map((t) => t.groups))) return null;
  const hosts = targets.map((t) => t.name);
  const open = (title: string, run: ConfirmRequest['run'], opts: Partial<ConfirmRequest> = {}) => setRequest({ title, hosts, run, reasonRequired: true, ...opts });
  // Operators may switch off, cycle or reset only where the recommendation engine says POWER_CYCLE;
  // admins may override that with force (and a reason).
  const admin = isGlobalAdmin(user);
  const warranted = recommended === undefined || recommended.includes('POWER_CYCLE');
  const hard = admin || warranted;
  const power = (action: string, label: string) => () =>
    open(`${label} ${hosts.length === 1 ? hosts[0] : `${hosts.length} hosts`}`, (reason, force) => send(POWER_ACTION, { hosts, action, reason, force: force || null }), {
      danger: action !== 'ON',
      forceLabel: admin && action !== 'ON' ? 'Override: act even where no power cycle is recommended (admin)' : undefined,
    });
  return (
    <fieldset className="actions">
      <legend className="visually-hidden">Actions</legend>
      {families.enable && targets.some((t) => t.enabled) && (
        <button type="button" onClick={() => open('Disable (maintenance)', (reason) => send(SET_HOSTS_ENABLED, { hosts, enabled: false, reason }))}>
          Disable…
        </button>
      )}
      {families.enable && targets.some((t) => !t.enabled) && (
        <button type="button" onClick={() => open('Enable', (reason) => send(SET_HOSTS_ENABLED, { hosts, enabled: true, reason }))}>
          Enable…
        </button>
      )}
      {families.power && hard && (
        <>
          <button type="button" className="danger" onClick={power('CYCLE', 'Power cycle')}>
            Power cycle…
          </button>
          <button type="button" onClick={power('OFF', 'Power off')}>
            Power off…
          </button>
          <button type="button" onClick={power('RESET', 'Hard reset')}>
            Reset…
          </button>
        </>
      )}
      {families.power && (
        <button type="button" onClick={power('ON', 'Power on')}>
          Power on…
        </button>
      )}
      {families.slurm && (
        <>
          <button type="button" onClick={() => open('Drain in Slurm', (reason) => send(SLURM_DRAIN, { hosts, reason }))}>
            Drain…
          </button>
          <button type="button" onClick={() => open('Resume in Slurm', () => send(SLURM_RESUME, { hosts }), { reasonRequired: false })}>
            Resume…
          </button>
        </>
      )}
      {families.boinc && (
        <span className="boinc-mode">
          <label>
            BOINC
            <select value={boinc.what} onChange={(e) => setBoinc({ ...boinc, what: e.target.value })}>
              <option value="RUN">run mode</option>
              <option value="GPU">GPU mode</option>
              <option value="NETWORK">network mode</option>
            </select>
          </label>
          <label>
            to
            <select value={boinc.mode} onChange={(e) => setBoinc({ ...boinc, mode: e.target.value })}>
              <option value="ALWAYS">always</option>
              <option value="AUTO">auto</option>
              <option value="NEVER">never</option>
              <option value="RESTORE">restore</option>
            </select>
          </label>
          <button
            type="button"
            onClick={() =>
              open(`Set BOINC ${boinc.what.toLowerCase()} mode to ${boinc.mode.toLowerCase()}`, (reason) => send(BOINC_SET_MODE, { hosts, ...boinc, reason: reason || null }), {
                reasonRequired: false,
              })
            }
          >
            Set BOINC mode…
          </button>
        </span>
      )}
      {request && (
        <ConfirmDialog
          request={request}
          onClose={(done) => {
            setRequest(null);
            if (done) onDone?.();
          }}
        />
      )}
    </fieldset>
  );
}
