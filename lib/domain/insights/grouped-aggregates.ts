import { compareGroupKeys, type GroupKey } from "./dimensions";
import { emptyAggregate, mergeInto, type MetricsAggregate } from "./metrics-aggregate";

/** One aggregate per value of a dimension. */
export type GroupedAggregates = Map<GroupKey, MetricsAggregate>;

/** The group's aggregate, created empty on first use, to add a record or merge a rollup into. */
export function aggregateFor(groups: GroupedAggregates, key: GroupKey): MetricsAggregate {
  let aggregate = groups.get(key);
  if (!aggregate) groups.set(key, (aggregate = emptyAggregate()));
  return aggregate;
}

/** All groups together: the total the groups add up to. */
export function mergeGroups(groups: GroupedAggregates): MetricsAggregate {
  const total = emptyAggregate();
  for (const aggregate of groups.values()) mergeInto(total, aggregate);
  return total;
}

export function groupsByKey(groups: GroupedAggregates): Array<[GroupKey, MetricsAggregate]> {
  return [...groups].sort(([a], [b]) => compareGroupKeys(a, b));
}
