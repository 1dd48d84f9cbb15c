/** A tiny inline SVG sparkline: a polyline of the values, the last point coloured by its status. */
export function Sparkline({ values, statuses, label, width = 120, height = 24 }: { values: number[]; statuses?: string[]; label: string; width?: number; height?: number }) {
  if (values.length === 0) return <span className="muted">no history</span>;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const step = values.length > 1 ? (width - 4) / (values.length - 1) : 0;
  const pts = values.map((v, i) => [2 + i * step, height - 2 - ((v - min) / span) * (height - 4)] as const);
  const last = pts[pts.length - 1]!;
  const lastStatus = statuses?.[statuses.length - 1]?.toLowerCase() ?? 'ok';
  return (
    <svg className="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <polyline fill="none" stroke="currentColor" strokeWidth="1.5" points={pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')} />
      <circle className={`dot s-${lastStatus}`} cx={last[0]} cy={last[1]} r="2.5" />
    </svg>
  );
}
