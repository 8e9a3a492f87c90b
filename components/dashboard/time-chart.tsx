"use client";

import { useRouter } from "next/navigation";
import type { MouseEvent, ReactElement, ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Dot, Line, LineChart, Tooltip, XAxis, YAxis, type ActiveDotProps, type BarShapeProps, type DotItemDotProps, type XAxisTickContentProps, type YAxisTickContentProps } from "recharts";
import { formatAxisValue, formatBucketRange, formatBucketTick, formatValue, type ValueKind } from "./chart-format";
import type { TimeChartModel } from "./chart-model";

export interface TimeChartProps {
  model: TimeChartModel;
  shape: "stacked-bars" | "lines";
  valueKind: ValueKind;
  /** the Requests page behind one series in one bucket; null when no filter selects it */
  hrefOf: (pointIndex: number, seriesIndex: number) => string | null;
  /** the whole bucket's requests */
  bucketHrefOf: (pointIndex: number) => string;
}

type AxisTickProps = XAxisTickContentProps | YAxisTickContentProps;

interface ChartRow {
  index: number;
  startMs: number;
  [seriesKey: string]: number | null;
}

const AXIS_FONT = { fontSize: 11, fill: "#64748b" };
const noLines = () => [];
/** With the legend's line below it, the 220 px that the card's placeholder holds. */
const CHART_STYLE = { width: "100%", height: 200 };

/**
 * One chart over time, drawn by recharts as SVG: stacked bars where each segment is a link to
 * its requests, or lines whose points link to their bucket's requests (as does a click anywhere
 * in a bucket's column while its values show). Values show on hover (and on arrow keys: recharts'
 * accessibility layer); the data table beside it says the same in text.
 *
 * What recharts would measure in the DOM (forcing a layout each time) is drawn without it: tick
 * labels are plain SVG text, the legend is HTML below the chart, the grid has no vertical lines.
 * Measured in Chromium, that is what the page's five charts spent most of their time on after the
 * library's own bookkeeping.
 */
export function TimeChart({ model, shape, valueKind, hrefOf, bucketHrefOf }: TimeChartProps) {
  const router = useRouter();
  const data: ChartRow[] = model.points.map((point, index) => ({ index, startMs: point.startMs, ...Object.fromEntries(model.series.map((series, i) => [series.key, point.values[i]])) }));
  // Recharts draws from its own store, which can hold the previous data for a render after new
  // data arrives (a new range has other buckets): a bar of those is drawn without a link.
  const pointOf = (row: ChartRow | undefined) => (row && model.points[row.index]?.startMs === row.startMs ? row.index : null);
  const spanMs = model.points.length * model.intervalMs;
  const axes: ReactNode[] = [
    // No vertical lines, and so none to place: recharts would otherwise lay out the x ticks once more for them.
    <CartesianGrid key="grid" strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} verticalCoordinatesGenerator={noLines} />,
    // minTickGap: recharts measures each label (once per text) to keep them apart at any width.
    <XAxis key="x" dataKey="startMs" tick={AxisTick} tickLine={false} minTickGap={28} tickFormatter={(startMs: number) => formatBucketTick(startMs, model.interval, spanMs)} />,
    // The y axis's five ticks always fit its height: all are shown (interval 0), none measured to find out.
    <YAxis key="y" tick={AxisTick} tickLine={false} axisLine={false} width={58} interval={0} tickFormatter={(value: number) => formatAxisValue(value, valueKind)} />,
    <Tooltip
      key="tooltip"
      formatter={(value, name) => [formatValue(typeof value === "number" ? value : null, valueKind), name]}
      labelFormatter={(startMs) => formatBucketRange(Number(startMs), model.interval, model.intervalMs)}
      contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: "#cbd5e1" }}
      isAnimationActive={false}
    />,
  ];

  const bucketLabel = (index: number) => formatBucketRange(model.points[index]!.startMs, model.interval, model.intervalMs);

  let chart: ReactElement;
  if (shape === "lines") {
    const linkedDot = (props: DotItemDotProps | ActiveDotProps, r: number) => {
      const key = `${String(props.dataKey)}-${props.index}`;
      // An empty bucket has no percentile, and so no point.
      if (props.cx == null || props.cy == null) return <g key={key} />;
      const index = pointOf(props.payload);
      const dot = <Dot key={key} cx={props.cx} cy={props.cy} r={r} fill={r > 2 ? props.stroke : "#fff"} stroke={props.stroke} strokeWidth={1.5} />;
      return index === null ? dot : sliceLink(dot, bucketHrefOf(index), `${bucketLabel(index)}: open these requests`, router.push);
    };
    chart = (
      <LineChart
        responsive
        style={CHART_STYLE}
        data={data}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        cursor="pointer"
        onClick={(state) => {
          // The bucket under the pointer, as the tooltip shows it; none before the pointer moved.
          const index = state.activeTooltipIndex == null ? NaN : Number(state.activeTooltipIndex);
          if (Number.isInteger(index) && model.points[index]) router.push(bucketHrefOf(index));
        }}
      >
        {axes}
        {model.series.map((series) => (
          <Line
            key={series.key}
            dataKey={series.key}
            name={series.label}
            stroke={series.color}
            strokeWidth={1.75}
            // Points are drawn while there is room for them; the one under the pointer always.
            dot={model.points.length <= 40 ? (props: DotItemDotProps) => linkedDot(props, 2) : false}
            activeDot={(props: ActiveDotProps) => linkedDot(props, 4)}
            isAnimationActive={false}
            type="monotone"
          />
        ))}
      </LineChart>
    );
  } else {
    chart = (
      <BarChart responsive style={CHART_STYLE} data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} barCategoryGap="15%">
        {axes}
        {model.series.map((series, seriesIndex) => (
          <Bar
            key={series.key}
            dataKey={series.key}
            name={series.label}
            stackId="stack"
            fill={series.color}
            isAnimationActive={false}
            shape={({ x, y, width, height, fill, payload }: BarShapeProps) => {
              // A plain rect: the values are never negative, and recharts' Rectangle (a path for rounded corners) costs more.
              const rectangle = <rect x={x} y={y} width={width} height={height} fill={fill} />;
              const index = pointOf(payload);
              const href = index === null || !height ? null : hrefOf(index, seriesIndex);
              return href ? sliceLink(rectangle, href, `${series.label}, ${bucketLabel(index!)}: open these requests`, router.push) : rectangle;
            }}
          />
        ))}
      </BarChart>
    );
  }
  return (
    <>
      {chart}
      <ChartLegend model={model} shape={shape} />
    </>
  );
}

/** The series' names and colours, as recharts' legend drew them (a square for bars, a line for lines). */
function ChartLegend({ model, shape }: Pick<TimeChartProps, "model" | "shape">) {
  return (
    <ul className="flex min-h-5 flex-wrap items-center justify-center gap-x-3 text-[11px]" aria-label="Legend">
      {model.series.map((series) => (
        <li key={series.key} className="flex items-center gap-1" style={{ color: series.color }}>
          <span className={shape === "lines" ? "h-0.5 w-3" : "size-2"} style={{ backgroundColor: series.color }} aria-hidden />
          {series.label}
        </li>
      ))}
    </ul>
  );
}

/** A tick label as plain SVG text, placed as recharts' own would be: its <Text> measures every word in the DOM to wrap labels that are one word. */
function AxisTick({ x, y, textAnchor, verticalAnchor, payload, tickFormatter, index }: AxisTickProps) {
  return (
    <text x={x} y={y} dy={verticalAnchor === "start" ? "0.71em" : "0.355em"} textAnchor={textAnchor} {...AXIS_FONT}>
      {tickFormatter ? tickFormatter(payload.value, index) : String(payload.value)}
    </text>
  );
}

/**
 * A bar segment or a point as an SVG link to its requests (middle-click opens a tab). Out of the
 * tab order: a week of hourly buckets would be hundreds of stops; the data table's links are the
 * keyboard's way. The click goes no further: the line chart's own click would open the same.
 */
function sliceLink(shape: ReactElement, href: string, label: string, navigate: (href: string) => void) {
  const follow = (event: MouseEvent) => {
    event.stopPropagation();
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a key={shape.key} href={href} tabIndex={-1} aria-label={label} onClick={follow} className="cursor-pointer hover:opacity-80">
      {shape}
    </a>
  );
}
