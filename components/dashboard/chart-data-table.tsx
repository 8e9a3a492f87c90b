import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { formatBucketRange, formatValue, type ValueKind } from "./chart-format";
import type { TimeChartModel } from "./chart-model";

interface Props {
  title: string;
  model: TimeChartModel;
  valueKind: ValueKind;
  hrefOf: (pointIndex: number, seriesIndex: number) => string | null;
  bucketHrefOf: (pointIndex: number) => string;
}

/**
 * A chart's numbers as a table, for screen readers, keyboards and copying: a row per bucket (its
 * time links to the bucket's requests), a column per series (a value links to its requests).
 * Drawn when opened: closed, it is hidden from everyone, and five charts' tables (a row per bucket,
 * a link per value) would be a third of the page's elements to create before it can be used.
 */
export function ChartDataTable({ title, model, valueKind, hrefOf, bucketHrefOf }: Props) {
  const details = useRef<HTMLDetailsElement>(null);
  const [open, setOpen] = useState(false);
  // Opened before the page's scripts ran: the toggle event went by unheard.
  useEffect(() => setOpen(details.current!.open), []);
  return (
    <details ref={details} className="group mt-1 text-xs" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary className="cursor-pointer text-[11px] text-slate-500 select-none hover:text-slate-800">Show data</summary>
      {open && <DataTable title={title} model={model} valueKind={valueKind} hrefOf={hrefOf} bucketHrefOf={bucketHrefOf} />}
    </details>
  );
}

function DataTable({ title, model, valueKind, hrefOf, bucketHrefOf }: Props) {
  return (
    <div className="mt-1 max-h-72 overflow-auto rounded border border-slate-200">
      <table className="w-full border-separate border-spacing-0 tabular-nums">
        <caption className="sr-only">{`${title}, by ${model.interval}`}</caption>
        <thead>
          <tr>
            <th scope="col" className="sticky top-0 border-b border-slate-200 bg-slate-50 px-2 py-1 text-left font-medium text-slate-500">
              {model.interval === "day" ? "Day (UTC)" : "Time"}
            </th>
            {model.series.map((series) => (
              <th key={series.key} scope="col" className="sticky top-0 border-b border-slate-200 bg-slate-50 px-2 py-1 text-right font-medium whitespace-nowrap text-slate-500">
                {series.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {model.points.map((point, pointIndex) => (
            <tr key={point.startMs}>
              <th scope="row" className="border-b border-slate-100 px-2 py-0.5 text-left font-normal whitespace-nowrap">
                <Link href={bucketHrefOf(pointIndex)} prefetch={false} className="text-slate-700 hover:text-indigo-700 hover:underline">
                  {formatBucketRange(point.startMs, model.interval, model.intervalMs)}
                </Link>
              </th>
              {point.values.map((value, seriesIndex) => {
                const href = value ? hrefOf(pointIndex, seriesIndex) : null;
                const text = formatValue(value, valueKind);
                return (
                  <td key={model.series[seriesIndex]!.key} className="border-b border-slate-100 px-2 py-0.5 text-right whitespace-nowrap">
                    {href ? (
                      <Link href={href} prefetch={false} className="text-indigo-700 hover:underline">
                        {text}
                      </Link>
                    ) : (
                      text
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
