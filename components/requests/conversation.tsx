import type { ConversationMessage, ConversationPart } from "@/lib/domain/conversation";

const ROLE_STYLE: Record<string, string> = {
  system: "bg-slate-100 text-slate-600",
  user: "bg-sky-100 text-sky-800",
  assistant: "bg-violet-100 text-violet-800",
  tool: "bg-amber-100 text-amber-800",
  error: "bg-red-100 text-red-800",
};

/**
 * A logged conversation. Model output is untrusted: it is rendered as text only (no HTML, no
 * markdown), so nothing in it can run, load an image or become a link.
 */
export function Conversation({ messages }: { messages: ConversationMessage[] }) {
  return (
    <ol className="space-y-2" aria-label="Conversation">
      {messages.map((message, index) => (
        <li key={index} className={`rounded-md border ${message.from === "response" ? "border-violet-200 bg-violet-50/30" : "border-slate-200 bg-white"}`}>
          <div className="flex items-center gap-2 border-b border-slate-100 px-2.5 py-1">
            <span className={`rounded px-1.5 py-px text-[10px] font-semibold tracking-wide uppercase ${ROLE_STYLE[message.role.split(" ")[0]!] ?? "bg-slate-100 text-slate-700"}`}>{message.role}</span>
            {message.from === "response" && <span className="text-[10px] text-slate-400">response</span>}
          </div>
          <div className="space-y-2 px-2.5 py-2">
            {message.parts.length === 0 && <p className="text-xs text-slate-400 italic">(empty)</p>}
            {message.parts.map((part, i) => (
              <Part key={i} part={part} />
            ))}
          </div>
        </li>
      ))}
    </ol>
  );
}

function Part({ part }: { part: ConversationPart }) {
  if (part.kind === "text" && !part.label) return <p className="text-[13px] leading-relaxed break-words whitespace-pre-wrap text-slate-800">{part.text}</p>;
  const title = part.kind === "tool-call" ? `tool call${part.label ? ` · ${part.label}` : ""}` : part.kind === "tool-result" ? "tool result" : part.kind === "image" ? "image (not loaded)" : (part.label ?? part.kind);
  return (
    <div className="rounded border border-slate-200 bg-slate-50">
      <div className="border-b border-slate-200 px-2 py-0.5 font-mono text-[10px] text-slate-500">{title}</div>
      <pre className="max-h-72 overflow-auto px-2 py-1 font-mono text-[11px] break-words whitespace-pre-wrap text-slate-700">{part.text}</pre>
    </div>
  );
}
