/** A check state or host health as colour plus text (never colour alone), the summary on hover. */
export type Status = 'OK' | 'WARN' | 'CRIT' | 'UNKNOWN' | 'DISABLED';

export function StatusBadge({ status, summary }: { status: Status | null | undefined; summary?: string | null }) {
  if (!status) return <span className="badge none">–</span>;
  return (
    <span className={`badge s-${status.toLowerCase()}`} title={summary ?? undefined}>
      {status}
    </span>
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function formatAgo(iso: string | null | undefined): string {
  if (!iso) return '–';
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 90) return `${Math.round(s)}s ago`;
  if (s < 5400) return `${Math.round(s / 60)}m ago`;
  if (s < 129600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}
