// Reads JSON lines from a file or stdin, line by line, handing each parsed object on and
// reporting (not throwing on) lines that are not JSON.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export async function readJsonLines(
  source: string | Readable,
  onObject: (value: unknown, lineNo: number) => void | Promise<void>,
  onBadLine: (lineNo: number, message: string) => void,
): Promise<void> {
  const input = typeof source === 'string' ? (source === '-' ? process.stdin : createReadStream(source)) : source;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo += 1;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      onBadLine(lineNo, err instanceof Error ? err.message : 'not JSON');
      continue;
    }
    await onObject(value, lineNo);
  }
}
