// HTTP: POST /rpc (the same methods, for scripts), GET /health, and the dashboard page at /.
// Every request passes the connection cap and the guard first; a refused request's connection is
// closed once it is answered (a refused client must not keep it by trickling a body). A body over
// the limit gets 413 with a -32008 error.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Caller } from '../rpc/services.js';
import { dashboardPage } from './dashboard-page.js';
import { tooLarge, type RpcEndpoint } from './endpoint.js';
import type { ConnectionCap } from './connections.js';
import type { Guard, Refusal } from './guard.js';
import { LIMITS } from './limits.js';

export interface HttpDeps {
  guard: Guard;
  connections: ConnectionCap;
  endpoint: RpcEndpoint;
  health: () => Record<string, unknown>;
}

function refuse(res: Response, refusal: Refusal): void {
  res.status(refusal.status).set('Connection', 'close').type('text/plain').send(`${refusal.reason}\n`);
}

export function httpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  let nextCaller = 1;

  app.use((req: Request, res: Response, next: NextFunction) => {
    const pageRequest = req.method === 'GET' && req.path === '/';
    const refusal = deps.connections.check(req.socket) ?? deps.guard.check(req.headers, req.originalUrl, pageRequest);
    if (!refusal) return next();
    refuse(res, refusal);
  });

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', ...deps.health() });
  });

  app.post('/rpc', express.text({ type: () => true, limit: LIMITS.messageBytes }), async (req: Request, res: Response) => {
    const caller: Caller = { id: `http-${nextCaller++}` };
    const text = typeof req.body === 'string' ? req.body : '';
    await deps.endpoint.answer(text, caller, (reply) => {
      const written = new Promise<void>((resolve) => res.once('finish', resolve).once('close', resolve));
      if (reply === null) res.status(204).end();
      else res.status(200).type('application/json').send(reply);
      return written;
    });
  });

  app.get('/', (req, res) => {
    const token = deps.guard.pageToken(req.originalUrl);
    if (token !== null) {
      // Trade the link's token for a cookie the page's script cannot read, and drop it from the URL.
      res
        .status(303)
        .set({ Location: '/', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' })
        .cookie(deps.guard.cookieName(), token, { httpOnly: true, sameSite: 'strict', path: '/' })
        .end();
      return;
    }
    const { html, nonce } = dashboardPage();
    res
      .status(200)
      .set({
        'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self' ws://${req.headers.host ?? ''}; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      })
      .type('html')
      .send(html);
  });

  app.use((_req: Request, res: Response) => {
    res.status(404).type('text/plain').send('not found: the sidecar serves /, /health and /rpc\n');
  });

  app.use((err: { type?: string; status?: number; length?: number; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.too.large') {
      res.status(413).set('Connection', 'close').json(tooLarge(err.length));
      return;
    }
    res.status(err.status ?? 400).set('Connection', 'close').type('text/plain').send(`bad request: ${err.message ?? 'unreadable body'}\n`);
  });

  return app;
}
