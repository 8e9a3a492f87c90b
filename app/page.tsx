export default function HomePage() {
  return (
    <main className="mx-auto max-w-2xl p-10">
      <h1 className="text-2xl font-semibold">Tracewell</h1>
      <p className="mt-2 text-slate-600">
        Point your OpenAI client at <code>/v1</code> or your Anthropic client at <code>/anthropic</code>, tag calls with
        <code> Helicone-Node-Id</code>, and read traces from <code>/api/v1/traces/&#123;traceId&#125;</code>.
      </p>
    </main>
  );
}
