import { layoutPositions, type LayoutInput } from "./to-flow-elements";

// Large layouts (thousands of cards) run here so that the page stays responsive meanwhile.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<{ requestId: number; items: LayoutInput[] }>) => void) | null;
  postMessage(message: unknown): void;
};
scope.onmessage = (event) => {
  const { requestId, items } = event.data;
  scope.postMessage({ requestId, positions: layoutPositions(items) });
};
