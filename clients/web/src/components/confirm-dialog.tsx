/**
 * Confirmation for an action on hosts: names every host, asks for a reason, shows each host's
 * outcome afterwards. A native <dialog> so focus is trapped and Escape closes it.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';

export interface HostOutcome {
  host: string;
  ok: boolean;
  message: string;
}
export interface ActionResult {
  outcomes: HostOutcome[];
  error?: string;
}

export interface ConfirmRequest {
  title: string;
  hosts: string[];
  /** Sends the action; resolves with per-host outcomes or an error message. */
  run(reason: string, force: boolean): Promise<ActionResult>;
  /** Offers an override checkbox with this label (admins: no recommendation, over the bulk limit). */
  forceLabel?: string;
  reasonRequired?: boolean;
  danger?: boolean;
}

export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest; onClose(done: boolean): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ActionResult | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const reason = String(form.get('reason') ?? '').trim();
    setBusy(true);
    try {
      setResult(await request.run(reason, form.get('force') === 'on'));
    } catch (err) {
      setResult({ outcomes: [], error: err instanceof Error ? err.message : String(err) });
    }
    setBusy(false);
  };
  const shown = request.hosts.slice(0, 50);
  const done = result !== null && !result.error;
  return (
    <dialog ref={ref} className="confirm" aria-labelledby="confirm-title" onClose={() => onClose(done)}>
      <form onSubmit={submit}>
        <h2 id="confirm-title">{request.title}</h2>
        <p>
          {request.hosts.length === 1 ? 'Host:' : `${request.hosts.length} hosts:`}{' '}
          <span className="hostnames">
            {shown.join(', ')}
            {request.hosts.length > shown.length && ` and ${request.hosts.length - shown.length} more`}
          </span>
        </p>
        {(!result || result.error) && (
          <label>
            Reason{request.reasonRequired !== false ? '' : ' (optional)'}
            <textarea name="reason" rows={2} required={request.reasonRequired !== false} autoFocus />
          </label>
        )}
        {request.forceLabel && (!result || result.error) && (
          <label className="inline">
            <input type="checkbox" name="force" /> {request.forceLabel}
          </label>
        )}
        {result?.error && (
          <p role="alert" className="error">
            {result.error}
          </p>
        )}
        {result && result.outcomes.length > 0 && (
          <table className="outcomes" aria-label="Outcome per host">
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Result</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {result.outcomes.map((o) => (
                <tr key={o.host}>
                  <td>{o.host}</td>
                  <td>
                    <span className={`badge ${o.ok ? 's-ok' : 's-crit'}`}>{o.ok ? 'OK' : 'FAILED'}</span>
                  </td>
                  <td>{o.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div className="buttons">
          <button type="button" onClick={() => ref.current?.close()}>
            {result ? 'Close' : 'Cancel'}
          </button>
          {(!result || result.error) && (
            <button type="submit" className={request.danger ? 'danger' : 'primary'} disabled={busy}>
              {busy ? 'Working…' : 'Confirm'}
            </button>
          )}
        </div>
      </form>
    </dialog>
  );
}
