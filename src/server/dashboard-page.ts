// The dashboard is plain files (no build step) in src/server/dashboard/. The page is served as
// one document with its script and style inlined under a per-response CSP nonce, because only
// the page request may come without the Authorization header (?token= once, then the cookie it
// is traded for; see guard.ts), and every other HTTP request needs the header.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../project/paths.js';

let files: { html: string; script: string; style: string } | undefined;

function load(): NonNullable<typeof files> {
  const dir = path.join(packageRoot(), 'src', 'server', 'dashboard');
  const read = (name: string): string => readFileSync(path.join(dir, name), 'utf8');
  return (files ??= { html: read('index.html'), script: read('app.js'), style: read('style.css') });
}

export function dashboardPage(): { html: string; nonce: string } {
  const { html, script, style } = load();
  const nonce = randomBytes(16).toString('base64');
  const page = html
    .replace('<!--STYLE-->', () => `<style nonce="${nonce}">\n${style}</style>`)
    .replace('<!--SCRIPT-->', () => `<script nonce="${nonce}">\n${script}</script>`);
  return { html: page, nonce };
}
