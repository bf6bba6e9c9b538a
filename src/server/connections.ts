// The cap on concurrent connections. A connection opened while the cap is reached is not dropped
// unanswered: its request (or WebSocket handshake) gets a 503 that says why, and it is closed.
// Idle or slow connections do not pile up either: the server's header and request timeouts close them.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Refusal } from './guard.js';

export class ConnectionCap {
  private open = 0;
  private readonly over = new WeakSet<Socket>();

  constructor(
    server: Server,
    private readonly limit: number,
  ) {
    server.on('connection', (socket: Socket) => {
      if (this.open >= limit) this.over.add(socket);
      this.open++;
      socket.once('close', () => this.open--);
    });
  }

  /** null when the connection was opened within the cap. */
  check(socket: Socket): Refusal | null {
    if (!this.over.has(socket)) return null;
    return { status: 503, reason: `service unavailable: too many connections (the limit is ${this.limit}); close some and try again` };
  }
}
