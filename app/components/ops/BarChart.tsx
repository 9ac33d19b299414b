import { useId } from "react";

export type ChartSeries = { label: string; /** CSS class of the bars (colours in app.css, ≥ 3:1 on white). */ className: string };
export type ChartRow = { label: string; values: number[] };

/**
 * Horizontal grouped bar chart drawn on the server as SVG (no script, no library). Every bar has its
 * number written next to it, and the colours come with a legend, so nothing depends on colour alone;
 * the same numbers are in a table right after the chart for screen readers and for copying.
 */
export function BarChart({ title, rows, series, unit = "件" }: { title: string; rows: ChartRow[]; series: ChartSeries[]; unit?: string }) {
  const id = useId();
  const max = Math.max(1, ...rows.flatMap((r) => r.values));
  // Room for the longest row label (CJK glyphs are about one em wide at the 14px chart text).
  const labelWidth = Math.max(80, Math.max(...rows.map((r) => [...r.label].length)) * 14 + 16);
  const barArea = 420;
  const barHeight = 18;
  const gap = 4;
  const groupGap = 14;
  const groupHeight = series.length * (barHeight + gap) + groupGap;
  const legendHeight = 28;
  const height = legendHeight + rows.length * groupHeight + 4;
  const width = labelWidth + barArea + 70;
  return (
    <figure className="chart">
      <svg
        className="chart__svg"
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="img"
        aria-labelledby={`${id}-title`}
        focusable="false"
      >
        <title id={`${id}-title`}>{`${title}（数は下の表にもあります）`}</title>
        <g>
          {series.map((s, i) => (
            <g key={s.label} transform={`translate(${labelWidth + i * 130}, 4)`}>
              <rect className={s.className} width="14" height="14" />
              <text x="20" y="12" className="chart__text">
                {s.label}
              </text>
            </g>
          ))}
        </g>
        {rows.map((row, r) => {
          const top = legendHeight + r * groupHeight;
          return (
            <g key={row.label} transform={`translate(0, ${top})`}>
              <text x={labelWidth - 8} y={(series.length * (barHeight + gap)) / 2 + 5} textAnchor="end" className="chart__text">
                {row.label}
              </text>
              {row.values.map((value, i) => {
                const w = Math.round((value / max) * barArea);
                const y = i * (barHeight + gap);
                return (
                  <g key={series[i]?.label ?? i}>
                    <rect className={series[i]?.className} x={labelWidth} y={y} width={Math.max(w, value > 0 ? 2 : 0)} height={barHeight} />
                    <text x={labelWidth + w + 6} y={y + barHeight - 4} className="chart__text chart__value">
                      {`${value}${unit}`}
                    </text>
                  </g>
                );
              })}
            </g>
          );
        })}
        <line x1={labelWidth} x2={labelWidth} y1={legendHeight - 4} y2={height} className="chart__axis" />
      </svg>
      <figcaption className="visually-hidden">{title}</figcaption>
    </figure>
  );
}
