// Work done on every incoming HTTP(S) request of this Node.js process before Next.js sees it
// (Next gives route handlers neither the socket nor a say over methods it refuses itself). The
// request event of every server — those already listening included: `next start` and `next dev`
// create theirs before instrumentation runs — goes through the installed hooks in order; a hook
// that answered the request returns true and the rest (Next included) never see it.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';

export type RequestHook = (req: IncomingMessage, res: ServerResponse) => boolean;

const g = globalThis as unknown as { __asRequestHooks?: Map<string, RequestHook> };

/** Installs `hook` under `name` (installing the same name again is a no-op). */
export function onEveryRequest(name: string, hook: RequestHook): void {
  if (!g.__asRequestHooks) {
    const hooks = new Map<string, RequestHook>();
    g.__asRequestHooks = hooks;
    for (const proto of [http.Server.prototype, https.Server.prototype] as {
      emit: (event: string | symbol, ...args: unknown[]) => boolean;
    }[]) {
      const emit = proto.emit;
      proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
        if (event === 'request') {
          const [req, res] = args as [IncomingMessage, ServerResponse];
          for (const h of hooks.values()) if (h(req, res)) return true;
        }
        return emit.call(this, event, ...args);
      };
    }
  }
  if (!g.__asRequestHooks.has(name)) g.__asRequestHooks.set(name, hook);
}
