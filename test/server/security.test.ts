// The contract's security rules against the real server: token file 0600 in a 0700 folder, printed
// once, Bearer on every handshake and request (401, and no upgrade, without it), the dashboard's
// ?token= traded for an HttpOnly SameSite=Strict cookie that the API takes only with the sidecar's
// own Origin, own Origin only, loopback Host only.
import assert from 'node:assert/strict';
import { chmod, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { RpcClient } from '../support/rpc-client.js';
import { makeProjectDir } from './fixture.js';
import { serve, type Served } from './harness.js';

let server: Served;

before(async () => {
  server = await serve(await makeProjectDir({ levels: 2, playtestsPerLevel: 2 }));
});

after(async () => {
  await server.stop();
});

async function handshake(url: string, headers: Record<string, string>): Promise<number> {
  try {
    const c = await RpcClient.connect(url, { headers });
    await c.close();
    return 101;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === undefined) throw err;
    return status;
  }
}

test('the token is fresh, 64 hex digits, in DIR/.metabalance/token with mode 0600, the folder 0700; printed once', async () => {
  assert.match(server.token, /^[0-9a-f]{64}$/);
  assert.equal(server.info.tokenFile, `${server.dir}/.metabalance/token`);
  assert.equal((await stat(server.info.tokenFile)).mode & 0o777, 0o600);
  assert.equal((await stat(path.dirname(server.info.tokenFile))).mode & 0o777, 0o700);
  assert.ok(server.info.dashboard.endsWith(`/?token=${server.token}`));
  assert.equal(server.info.pid, server.proc.pid);
  assert.equal((server.stdout + server.stderr).split(server.token).length - 1, 1, 'the token appears once in the output');
});

test('a .metabalance folder left at 0755 (by an older version) is narrowed to 0700 by serve', async () => {
  const dir = await makeProjectDir({ levels: 1, playtestsPerLevel: 1 });
  await mkdir(path.join(dir, '.metabalance'), { mode: 0o755 });
  await chmod(path.join(dir, '.metabalance'), 0o755);
  const other = await serve(dir);
  try {
    assert.equal((await stat(path.join(dir, '.metabalance'))).mode & 0o777, 0o700);
  } finally {
    await other.stop();
  }
});

test('WebSocket handshake: no token or a wrong one → 401 and no upgrade; the right one → 101', async () => {
  const url = server.info.rpc;
  assert.equal(await handshake(url, {}), 401);
  assert.equal(await handshake(url, { authorization: `Bearer ${'0'.repeat(64)}` }), 401);
  assert.equal(await handshake(url, { authorization: `Bearer ${server.token.slice(1)}` }), 401);
  assert.equal(await handshake(url, { authorization: server.token }), 401);
  assert.equal(await handshake(`${url}?token=wrong`, {}), 401);
  assert.equal(await handshake(url, { authorization: `Bearer ${server.token}` }), 101);
  assert.equal(await handshake(url, { authorization: `bearer ${server.token}` }), 101, 'the scheme name is case-insensitive');
  // ?token= is the dashboard page's alone: the API never takes it
  assert.equal(await handshake(`${url}?token=${server.token}`, {}), 401);
});

test("the dashboard page trades ?token= for an HttpOnly SameSite=Strict cookie and a redirect that drops it from the URL", async () => {
  const traded = await server.http('GET', `/?token=${server.token}`, undefined, { authorization: null });
  assert.equal(traded.status, 303);
  assert.equal(traded.headers.location, '/');
  const cookie = (traded.headers['set-cookie'] as string[])[0]!;
  assert.match(cookie, new RegExp(`^metabalance-token-${server.info.port}=${server.token}; Path=/; HttpOnly; SameSite=Strict$`));
  const pair = cookie.split(';')[0]!;
  const page = await server.http('GET', '/', undefined, { authorization: null, cookie: pair });
  assert.equal(page.status, 200);
  assert.match(page.headers['content-security-policy'] as string, /script-src 'nonce-/);
  assert.equal((await server.http('GET', '/?token=wrong', undefined, { authorization: null })).status, 401);
});

test('the API takes the cookie only with the own Origin (the dashboard page), never alone', async () => {
  const cookie = `metabalance-token-${server.info.port}=${server.token}`;
  const origin = `http://127.0.0.1:${server.info.port}`;
  const body = '{"jsonrpc":"2.0","id":1,"method":"levels.list"}';
  assert.equal(await handshake(server.info.rpc, { cookie, origin }), 101);
  assert.equal(await handshake(server.info.rpc, { cookie }), 401, 'no Origin: not the page');
  assert.equal(await handshake(server.info.rpc, { cookie, origin: 'http://evil.example' }), 403);
  assert.equal(await handshake(server.info.rpc, { cookie: `metabalance-token-${server.info.port}=${'0'.repeat(64)}`, origin }), 401);
  assert.equal(await handshake(server.info.rpc, { cookie: `metabalance-token-${server.info.port + 1}=${server.token}`, origin }), 401, "another port's cookie");
  assert.equal((await server.http('POST', '/rpc', body, { authorization: null, cookie, origin })).status, 200);
  assert.equal((await server.http('POST', '/rpc', body, { authorization: null, cookie })).status, 401);
});

test('HTTP: no token or a wrong one → 401 on every route', async () => {
  for (const [method, path] of [
    ['GET', '/health'],
    ['POST', '/rpc'],
    ['GET', '/'],
    ['GET', '/nothing-here'],
  ] as const) {
    const none = await server.http(method, path, method === 'POST' ? '{}' : undefined, { authorization: null });
    assert.equal(none.status, 401, `${method} ${path}`);
    const wrong = await server.http(method, path, method === 'POST' ? '{}' : undefined, { authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401, `${method} ${path}`);
  }
  // ?token= is for the page only, not for the API
  const viaQuery = await server.http('POST', `/rpc?token=${server.token}`, '{"jsonrpc":"2.0","id":1,"method":"levels.list"}', { authorization: null });
  assert.equal(viaQuery.status, 401);
});

test('a foreign Origin is refused (403) on the handshake and on HTTP; the own origin is fine', async () => {
  const auth = { authorization: `Bearer ${server.token}` };
  for (const origin of ['http://evil.example', `http://evil.example:${server.info.port}`, 'null', `https://127.0.0.1:${server.info.port}`, `http://127.0.0.1:${server.info.port + 1}`]) {
    assert.equal(await handshake(server.info.rpc, { ...auth, origin }), 403, origin);
    const r = await server.http('POST', '/rpc', '{"jsonrpc":"2.0","id":1,"method":"levels.list"}', { origin });
    assert.equal(r.status, 403, origin);
  }
  for (const origin of [`http://127.0.0.1:${server.info.port}`, `http://localhost:${server.info.port}`]) {
    assert.equal(await handshake(server.info.rpc, { ...auth, origin }), 101, origin);
  }
});

test('a Host that is not a loopback name or address is refused (403): DNS rebinding', async () => {
  const auth = { authorization: `Bearer ${server.token}` };
  for (const host of ['evil.example', `evil.example:${server.info.port}`, `192.168.1.5:${server.info.port}`, `127.0.0.1.evil.example:${server.info.port}`]) {
    assert.equal(await handshake(server.info.rpc, { ...auth, host }), 403, host);
    const r = await server.http('GET', '/health', undefined, { host });
    assert.equal(r.status, 403, host);
  }
  for (const host of [`localhost:${server.info.port}`, `[::1]:${server.info.port}`, `127.0.0.1:${server.info.port}`]) {
    const r = await server.http('GET', '/health', undefined, { host });
    assert.equal(r.status, 200, host);
  }
});

test('a handshake anywhere but /rpc is refused', async () => {
  const url = server.info.rpc.replace('/rpc', '/other');
  assert.equal(await handshake(url, { authorization: `Bearer ${server.token}` }), 404);
});
