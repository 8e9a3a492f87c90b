"use client";

import { useRouter } from "next/navigation";
import type { MouseEvent, ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Rectangle, Tooltip, XAxis, YAxis, type BarShapeProps } from "recharts";
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

const AXIS_TICK = { fontSize: 11, fill: "#64748b" };
const CHART_STYLE = { width: "100%", height: 220 };

/**
 * One chart over time, drawn by recharts as SVG: stacked bars where each segment is a link to
 * its requests, or lines where a click in a bucket's column opens that bucket's requests. Values
 * show on hover (and on arrow keys: recharts' accessibility layer); the data table beside it says
 * the same in text.
 */
export function TimeChart({ model, shape, valueKind, hrefOf, bucketHrefOf }: TimeChartProps) {
  const router = useRouter();
  const data = model.points.map((point) => ({ startMs: point.startMs, ...Object.fromEntries(model.series.map((series, i) => [series.key, point.values[i]])) }));
  const spanMs = model.points.length * model.intervalMs;
  const axes: ReactNode[] = [
    <CartesianGrid key="grid" strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />,
    <XAxis key="x" dataKey="startMs" tick={AXIS_TICK} tickLine={false} minTickGap={28} tickFormatter={(startMs: number) => formatBucketTick(startMs, model.interval, spanMs)} />,
    <YAxis key="y" tick={AXIS_TICK} tickLine={false} axisLine={false} width={52} tickFormatter={(value: number) => formatAxisValue(value, valueKind)} />,
    <Tooltip
      key="tooltip"
      formatter={(value, name) => [formatValue(typeof value === "number" ? value : null, valueKind), name]}
      labelFormatter={(startMs) => formatBucketRange(Number(startMs), model.interval, model.intervalMs)}
      contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: "#cbd5e1" }}
      isAnimationActive={false}
    />,
    <Legend key="legend" iconSize={8} wrapperStyle={{ fontSize: 11 }} />,
  ];

  if (shape === "lines") {
    return (
      <LineChart
        responsive
        style={CHART_STYLE}
        data={data}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        cursor="pointer"
        onClick={(state) => {
          const index = Number(state.activeTooltipIndex);
          if (Number.isInteger(index) && model.points[index]) router.push(bucketHrefOf(index));
        }}
      >
        {axes}
        {model.series.map((series) => (
          <Line key={series.key} dataKey={series.key} name={series.label} stroke={series.color} strokeWidth={1.75} dot={model.points.length <= 40 ? { r: 2 } : false} isAnimationActive={false} type="monotone" />
        ))}
      </LineChart>
    );
  }
  return (
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
          shape={(props: BarShapeProps) => linkedBar(props, hrefOf(props.index, seriesIndex), `${series.label}, ${formatBucketRange(model.points[props.index]!.startMs, model.interval, model.intervalMs)}`, router.push)}
        />
      ))}
    </BarChart>
  );
}

/**
 * A bar segment as an SVG link to its requests (middle-click opens a tab). Out of the tab order:
 * a week of hourly buckets would be hundreds of stops; the data table's links are the keyboard's way.
 */
function linkedBar({ x, y, width, height, fill }: BarShapeProps, href: string | null, label: string, navigate: (href: string) => void) {
  const rectangle = <Rectangle x={x} y={y} width={width} height={height} fill={fill} />;
  if (!href || !height) return rectangle;
  const follow = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} tabIndex={-1} aria-label={`${label}: open these requests`} onClick={follow} className="cursor-pointer hover:opacity-80">
      {rectangle}
    </a>
  );
}
