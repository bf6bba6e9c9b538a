// Reading JSONL files line by line with byte offsets, so a store can re-read only what another
// writer appended, and can tell a torn last line (a crash artefact) from a bad line in the middle.
import { open } from 'node:fs/promises';
import { jsonErrorMessage } from '../util/json.js';

export interface JsonlLine {
  /** 1-based line number in the file. */
  line: number;
  /** The parsed value, when the line is valid JSON. */
  value?: unknown;
  /** Why the line is not valid JSON. */
  error?: string;
}

export interface JsonlChunk {
  lines: JsonlLine[];
  /** Byte offset just after the last complete line (what a reader has consumed). */
  end: number;
  /** The next line number to read. */
  nextLine: number;
  /**
   * Text after the last newline, if any: `complete` when it parses as JSON (only its newline is
   * missing), otherwise a torn write.
   */
  tail?: { line: number; offset: number; text: string; complete: boolean; value?: unknown };
}

const NEWLINE = 0x0a;

/** Reads `file` from byte `offset` (starting at line number `firstLine`); a missing file reads as empty. */
export async function readJsonl(file: string, offset = 0, firstLine = 1): Promise<JsonlChunk> {
  let buf: Buffer;
  try {
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      buf = Buffer.alloc(Math.max(0, size - offset));
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      buf = buf.subarray(0, got);
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], end: offset, nextLine: firstLine };
    throw e;
  }
  return parseJsonl(buf, offset, firstLine);
}

/** Splits bytes read from byte `offset` of a JSONL file (starting at line `firstLine`) into lines. */
export function parseJsonl(buf: Buffer, offset = 0, firstLine = 1): JsonlChunk {
  const lines: JsonlLine[] = [];
  let start = 0;
  let lineNo = firstLine;
  for (let nl = buf.indexOf(NEWLINE, start); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
    const text = buf.toString('utf8', start, nl).trim();
    if (text !== '') lines.push(parseLine(text, lineNo));
    start = nl + 1;
    lineNo++;
  }
  const chunk: JsonlChunk = { lines, end: offset + start, nextLine: lineNo };
  const rest = buf.toString('utf8', start).trim();
  if (rest !== '') {
    const parsed = parseLine(rest, lineNo);
    chunk.tail = { line: lineNo, offset: offset + start, text: rest, complete: parsed.error === undefined };
    if (parsed.error === undefined) chunk.tail.value = parsed.value;
  }
  return chunk;
}

function parseLine(text: string, line: number): JsonlLine {
  try {
    return { line, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { line, error: `invalid JSON: ${jsonErrorMessage(e)}` };
  }
}
