import { useId } from "react";

export type ChartSeries = { key: string; label: string; colour: string };
export type ChartRow = { label: string; values: Record<string, number> };

/**
 * A server-rendered SVG bar chart of weekly counts: stacked (parts of one total) or grouped (side by
 * side). role="img" with <title> and <desc> that say what it shows; the same numbers are in the table
 * beside it, for screen readers and for anyone who wants the figures.
 */
export function WeeklyBarChart({
  title,
  description,
  series,
  rows,
  mode = "stacked",
}: {
  title: string;
  description: string;
  series: readonly ChartSeries[];
  rows: readonly ChartRow[];
  mode?: "stacked" | "grouped";
}) {
  const id = useId();
  const width = 720;
  const height = 260;
  const margin = { top: 16, right: 16, bottom: 48, left: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const totals = rows.map((r) =>
    mode === "stacked" ? series.reduce((sum, s) => sum + (r.values[s.key] ?? 0), 0) : Math.max(0, ...series.map((s) => r.values[s.key] ?? 0)),
  );
  const max = Math.max(1, ...totals);
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const y = (v: number) => margin.top + plotH - (v / top) * plotH;
  const band = plotW / Math.max(1, rows.length);
  const barW = Math.max(4, band * 0.6);
  const ticks: number[] = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-labelledby={`${id}-title ${id}-desc`} focusable="false">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={margin.left} x2={width - margin.right} y1={y(v)} y2={y(v)} stroke="#d9d9d9" strokeWidth={1} />
            <text x={margin.left - 6} y={y(v) + 4} textAnchor="end" fontSize={12} fill="#333">
              {v}
            </text>
          </g>
        ))}
        {rows.map((row, i) => {
          const x0 = margin.left + i * band + (band - barW) / 2;
          let acc = 0;
          return (
            <g key={row.label}>
              {series.map((s, j) => {
                const v = row.values[s.key] ?? 0;
                if (v <= 0) return null;
                if (mode === "stacked") {
                  const rect = <rect key={s.key} x={x0} width={barW} y={y(acc + v)} height={y(acc) - y(acc + v)} fill={s.colour} stroke="#fff" strokeWidth={0.5} />;
                  acc += v;
                  return rect;
                }
                const w = barW / series.length;
                return <rect key={s.key} x={x0 + j * w} width={w} y={y(v)} height={y(0) - y(v)} fill={s.colour} />;
              })}
              <text x={x0 + barW / 2} y={height - margin.bottom + 16} textAnchor="middle" fontSize={11} fill="#333">
                {row.label.slice(5)}
              </text>
            </g>
          );
        })}
        <line x1={margin.left} x2={width - margin.right} y1={y(0)} y2={y(0)} stroke="#333" strokeWidth={1} />
        {series.map((s, j) => (
          <g key={s.key} transform={`translate(${margin.left + j * 150}, ${height - 14})`}>
            <rect width={12} height={12} y={-10} fill={s.colour} />
            <text x={18} fontSize={12} fill="#333">
              {s.label}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

function niceStep(max: number): number {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (raw <= m * magnitude) return Math.max(1, m * magnitude);
  return 10 * magnitude;
}
