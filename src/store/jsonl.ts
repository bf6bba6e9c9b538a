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

/** Bytes read at a time: a store streams its files rather than holding a whole one in memory. */
const READ_SIZE = 64 * 1024;

/**
 * Reads `file` from byte `offset` (starting at line number `firstLine`) a few MiB at a time, handing
 * each batch of complete lines to `onLines` before reading on; the result has no lines, only where
 * reading ended and the tail. A missing file reads as empty.
 */
export async function streamJsonl(
  file: string,
  offset: number,
  firstLine: number,
  onLines: (lines: JsonlLine[]) => void,
  readSize = READ_SIZE,
): Promise<JsonlChunk> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], end: offset, nextLine: firstLine };
    throw e;
  }
  try {
    const { size } = await fh.stat();
    // One buffer, reused: the part of a line left at the end of a read moves to its start.
    let buf = Buffer.allocUnsafe(Math.min(readSize, size - offset));
    let kept = 0;
    let end = offset;
    let nextLine = firstLine;
    for (let pos = offset; pos < size; ) {
      if (kept === buf.length) buf = Buffer.concat([buf], 2 * buf.length); // a line longer than the buffer
      const { bytesRead } = await fh.read(buf, kept, Math.min(buf.length - kept, size - pos), pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const bytes = buf.subarray(0, kept + bytesRead);
      const last = bytes.lastIndexOf(NEWLINE);
      if (last === -1) {
        kept = bytes.length;
        continue;
      }
      const chunk = parseJsonl(bytes.subarray(0, last + 1), end, nextLine);
      onLines(chunk.lines);
      end = chunk.end;
      nextLine = chunk.nextLine;
      kept = bytes.copy(buf, 0, last + 1);
    }
    return parseJsonl(buf.subarray(0, kept), end, nextLine);
  } finally {
    await fh.close();
  }
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
