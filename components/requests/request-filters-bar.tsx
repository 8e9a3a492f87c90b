"use client";

import { useId, useState, type FormEvent } from "react";
import { TIME_RANGES, type RequestFilters, type TimeRange } from "@/lib/queries/request-filters";
import { useModelSuggestions, usePropertyKeySuggestions, usePropertyValueSuggestions } from "@/lib/queries/suggestions";

const COMMON_STATUSES = ["400", "401", "403", "404", "408", "413", "429", "500", "502", "503", "504", "0"];
export const inputClass =
  "h-7 rounded border border-slate-300 bg-white px-2 text-xs text-slate-800 placeholder:text-slate-400 focus:border-indigo-500 focus:ring-2 focus:ring-indigo-100 focus:outline-none";

interface Props {
  filters: RequestFilters;
  onChange: (next: RequestFilters) => void;
}

interface BarOptions {
  /** the body search box (the metrics API cannot search bodies) */
  searchable?: boolean;
  /** the relative ranges offered; "All time" only when `allTime` */
  timeRanges?: readonly TimeRange[];
  allTime?: boolean;
}

const ALL_TIME_RANGES = Object.keys(TIME_RANGES) as TimeRange[];

/**
 * Every filter of the Requests page; each change is one URL step (Back undoes it). The dashboard
 * uses the same bar with its own ranges and no body search.
 */
export function RequestFiltersBar({ filters, onChange, searchable = true, timeRanges = ALL_TIME_RANGES, allTime = true }: Props & BarOptions) {
  const set = (patch: Partial<RequestFilters>) => onChange({ ...filters, ...patch });
  const models = useModelSuggestions();
  const modelListId = useId();
  const statusOptions = filters.status && !["ok", "error", ...COMMON_STATUSES].includes(filters.status) ? [...COMMON_STATUSES, filters.status] : COMMON_STATUSES;
  const [customRange, setCustomRange] = useState(Boolean(filters.from || filters.to));

  return (
    <div className="flex flex-wrap items-center gap-2" role="search" aria-label="Filter requests">
      {searchable && (
        <CommitInput
          label="Search bodies"
          placeholder="Text in request or response…"
          value={filters.search ?? ""}
          onCommit={(search) => set({ search: search || undefined })}
          className={`${inputClass} w-56`}
        />
      )}
      <CommitInput
        label="Model"
        placeholder="Model"
        value={filters.model ?? ""}
        list={modelListId}
        onCommit={(model) => set({ model: model || undefined })}
        className={`${inputClass} w-36`}
      />
      <datalist id={modelListId}>
        {models.data?.models.map((m) => (
          <option key={m.model} value={m.model}>{`${m.count.toLocaleString("en-US")} requests`}</option>
        ))}
      </datalist>
      <select aria-label="Status" className={inputClass} value={filters.status ?? ""} onChange={(e) => set({ status: e.target.value || undefined })}>
        <option value="">Any status</option>
        <option value="ok">OK (2xx)</option>
        <option value="error">Error (not 2xx)</option>
        {statusOptions.map((code) => (
          <option key={code} value={code}>
            {code === "0" ? "0 (no response)" : code}
          </option>
        ))}
      </select>
      <select
        aria-label="Time range"
        className={inputClass}
        value={customRange ? "custom" : (filters.range ?? "")}
        onChange={(e) => {
          const value = e.target.value;
          if (value === "custom") return setCustomRange(true);
          setCustomRange(false);
          set({ range: (value || undefined) as TimeRange | undefined, from: undefined, to: undefined });
        }}
      >
        {allTime && <option value="">All time</option>}
        {timeRanges.map((value) => (
          <option key={value} value={value}>
            {TIME_RANGES[value].label}
          </option>
        ))}
        <option value="custom">Custom…</option>
      </select>
      {customRange && (
        <>
          <DateTimeInput label="From" value={filters.from} onChange={(from) => set({ from, range: undefined })} />
          <DateTimeInput label="To" value={filters.to} onChange={(to) => set({ to, range: undefined })} />
        </>
      )}
      <CommitInput
        label="User"
        placeholder="User id"
        value={filters.userId ?? ""}
        onCommit={(userId) => set({ userId: userId || undefined })}
        className={`${inputClass} w-28`}
      />
      <CommitInput
        label="Session"
        placeholder="Session id"
        value={filters.sessionId ?? ""}
        onCommit={(sessionId) => set({ sessionId: sessionId || undefined })}
        className={`${inputClass} w-28`}
      />
      <CommitInput
        label="Provider"
        placeholder="Provider"
        value={filters.provider ?? ""}
        onCommit={(provider) => set({ provider: provider || undefined })}
        className={`${inputClass} w-24`}
      />
      <PropertyFilterAdder onAdd={(key, value) => set({ properties: [...filters.properties.filter(([k]) => k !== key), [key, value]] })} />
    </div>
  );
}

/** A text input that changes the URL on Enter or blur, not on every keystroke. */
function CommitInput({
  label,
  value,
  onCommit,
  ...rest
}: { label: string; value: string; onCommit: (value: string) => void; placeholder?: string; list?: string; className?: string }) {
  const [draft, setDraft] = useState(value);
  // A new value from outside (the URL changed) replaces the draft, during render as React
  // advises, not in an effect that would render twice.
  const [shown, setShown] = useState(value);
  if (value !== shown) {
    setShown(value);
    setDraft(value);
  }
  const commit = () => {
    if (draft.trim() !== value) onCommit(draft.trim());
  };
  return (
    <input
      aria-label={label}
      type="text"
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === "Enter") commit();
        if (e.key === "Escape") setDraft(value);
      }}
      {...rest}
    />
  );
}

function DateTimeInput({ label, value, onChange }: { label: string; value?: string; onChange: (iso: string | undefined) => void }) {
  const local = value ? toLocalInput(value) : "";
  return (
    <input
      aria-label={label}
      type="datetime-local"
      className={inputClass}
      value={local}
      onChange={(e) => onChange(e.target.value ? new Date(e.target.value).toISOString() : undefined)}
    />
  );
}

function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const offset = date.getTimezoneOffset() * 60_000;
  return new Date(date.getTime() - offset).toISOString().slice(0, 16);
}

/** `key = value`, both suggested from what has been logged. */
function PropertyFilterAdder({ onAdd }: { onAdd: (key: string, value: string) => void }) {
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const keys = usePropertyKeySuggestions();
  const values = usePropertyValueSuggestions(open ? key.trim().toLowerCase() : "");
  const keyListId = useId();
  const valueListId = useId();

  if (!open) {
    return (
      <button type="button" className={`${inputClass} hover:bg-slate-50`} onClick={() => setOpen(true)}>
        + Property
      </button>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!key.trim()) return;
    onAdd(key.trim().toLowerCase(), value);
    setKey("");
    setValue("");
    setOpen(false);
  };
  return (
    <form onSubmit={submit} className="flex items-center gap-1 rounded border border-indigo-200 bg-indigo-50/50 p-0.5" aria-label="Add property filter">
      <input aria-label="Property key" autoFocus placeholder="key" list={keyListId} value={key} onChange={(e) => setKey(e.target.value)} className={`${inputClass} w-28`} />
      <datalist id={keyListId}>
        {keys.data?.keys.map((k) => (
          <option key={k.key} value={k.key}>{`${k.count.toLocaleString("en-US")} requests`}</option>
        ))}
      </datalist>
      <span className="text-xs text-slate-400">=</span>
      <input aria-label="Property value" placeholder="value" list={valueListId} value={value} onChange={(e) => setValue(e.target.value)} className={`${inputClass} w-32`} />
      <datalist id={valueListId}>
        {values.data?.values.map((v) => (
          <option key={v.value} value={v.value}>{`${v.count.toLocaleString("en-US")} requests`}</option>
        ))}
      </datalist>
      <button type="submit" className="h-7 rounded bg-indigo-600 px-2 text-xs font-medium text-white hover:bg-indigo-500">
        Add
      </button>
      <button type="button" aria-label="Cancel" className="h-7 px-1.5 text-xs text-slate-500 hover:text-slate-800" onClick={() => setOpen(false)}>
        ✕
      </button>
    </form>
  );
}

/** The active filters as removable chips. The dashboard leaves out the relative range: its range select always shows one. */
export function ActiveFilterChips({ filters, onChange, showRange = true }: Props & { showRange?: boolean }) {
  const chips: Array<{ label: string; remove: () => void }> = [];
  const drop = (patch: Partial<RequestFilters>) => () => onChange({ ...filters, ...patch });
  if (filters.search) chips.push({ label: `text contains “${filters.search}”`, remove: drop({ search: undefined }) });
  if (filters.model) chips.push({ label: `model = ${filters.model}`, remove: drop({ model: undefined }) });
  if (filters.provider) chips.push({ label: `provider = ${filters.provider}`, remove: drop({ provider: undefined }) });
  if (filters.status) chips.push({ label: `status = ${filters.status}`, remove: drop({ status: undefined }) });
  if (filters.range && showRange) chips.push({ label: TIME_RANGES[filters.range].label.toLowerCase(), remove: drop({ range: undefined }) });
  if (filters.from) chips.push({ label: `from ${new Date(filters.from).toLocaleString()}`, remove: drop({ from: undefined }) });
  if (filters.to) chips.push({ label: `to ${new Date(filters.to).toLocaleString()}`, remove: drop({ to: undefined }) });
  if (filters.userId) chips.push({ label: `user = ${filters.userId}`, remove: drop({ userId: undefined }) });
  if (filters.sessionId) chips.push({ label: `session = ${filters.sessionId}`, remove: drop({ sessionId: undefined }) });
  if (filters.traceId) chips.push({ label: `trace = ${filters.traceId}`, remove: drop({ traceId: undefined }) });
  for (const [key, value] of filters.properties) {
    chips.push({ label: `${key} = ${value}`, remove: drop({ properties: filters.properties.filter(([k]) => k !== key) }) });
  }
  if (chips.length === 0) return null;
  return (
    <div className="flex flex-wrap items-center gap-1.5" aria-label="Active filters">
      {chips.map((chip) => (
        <span key={chip.label} className="inline-flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 pr-1 pl-2 text-[11px] text-indigo-800 ring-1 ring-indigo-200">
          <span className="max-w-[20rem] truncate">{chip.label}</span>
          <button type="button" aria-label={`Remove filter ${chip.label}`} className="rounded-full px-1 text-indigo-500 hover:bg-indigo-100 hover:text-indigo-900" onClick={chip.remove}>
            ✕
          </button>
        </span>
      ))}
      <button type="button" className="ml-1 text-[11px] text-slate-500 underline-offset-2 hover:underline" onClick={() => onChange({ properties: [] })}>
        Clear all
      </button>
    </div>
  );
}
