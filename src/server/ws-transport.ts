// JSON-RPC over WebSocket at /rpc: the handshake passes the guard or gets a plain HTTP refusal
// (no upgrade); a ping every 10 s drops peers that stopped answering; notifications fan out here.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Notification } from '../rpc/messages.js';
import type { Caller } from '../rpc/services.js';
import type { RpcEndpoint } from './endpoint.js';
import type { ConnectionCap } from './connections.js';
import type { Guard } from './guard.js';
import { LIMITS } from './limits.js';

interface Client extends Caller {
  alive: boolean;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroy();
}

export class WsTransport {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.hardFrameBytes, perMessageDeflate: false });
  private readonly clients = new Map<WebSocket, Client>();
  private readonly pinger: NodeJS.Timeout;
  private nextId = 1;

  constructor(
    server: Server,
    private readonly guard: Guard,
    private readonly connections: ConnectionCap,
    private readonly endpoint: RpcEndpoint,
    private readonly log: (message: string) => void,
  ) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.pinger = setInterval(() => this.pingAll(), LIMITS.pingIntervalMs);
    this.pinger.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/rpc') return refuse(socket, 404, `not found: WebSocket endpoint is /rpc`);
    const refusal = this.connections.check(req.socket) ?? this.guard.check(req.headers, req.url, false);
    if (refusal) return refuse(socket, refusal.status, refusal.reason);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const client: Client = { id: `ws-${this.nextId++}`, alive: true };
    this.clients.set(ws, client);
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data: RawData) => void this.onMessage(ws, client, data));
    // e.g. a frame over the hard limit: ws closes the connection with 1009; nothing else to do
    ws.on('error', (err) => this.log(`metabalance: ${client.id}: ${err.message}`));
    ws.on('close', () => this.clients.delete(ws));
  }

  private async onMessage(ws: WebSocket, client: Client, data: RawData): Promise<void> {
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    try {
      await this.endpoint.answer(text, client, (reply) => this.send(ws, reply));
    } catch (err) {
      // The dispatcher answers every failure itself; this is the last guard against a crash.
      this.log(`metabalance: ${client.id}: could not answer a message: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  /** Resolves once the reply is written to the socket (or the peer is gone). */
  private send(ws: WebSocket, reply: string | null): Promise<void> {
    return new Promise((resolve) => {
      if (reply === null || ws.readyState !== WebSocket.OPEN) return resolve();
      ws.send(reply, () => resolve());
    });
  }

  private pingAll(): void {
    for (const [ws, client] of this.clients) {
      if (!client.alive) {
        ws.terminate();
        this.clients.delete(ws);
        continue;
      }
      client.alive = false;
      ws.ping();
    }
  }

  broadcast(message: Notification, except?: Caller): void {
    const text = JSON.stringify(message);
    for (const [ws, client] of this.clients) {
      if (client.id !== except?.id && ws.readyState === WebSocket.OPEN) ws.send(text);
    }
  }

  /** Closes every connection (1001 "going away") and waits until they are gone. */
  async close(): Promise<void> {
    clearInterval(this.pinger);
    const closed = [...this.clients.keys()].map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close(1001, 'server shutting down');
          setTimeout(() => {
            ws.terminate();
            resolve();
          }, 1000).unref();
        }),
    );
    await Promise.all(closed);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
