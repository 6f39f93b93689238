import { open } from 'node:fs/promises';

const CHUNK = 1024 * 1024;

/**
 * Reads a whole file, but never more than `maxBytes` of it: `undefined` when it holds more. The
 * size is read as it goes, not trusted from `stat`, so a file that grows, a FIFO or `/dev/zero`
 * behind a lockfile's name cannot make vigil read without end.
 * @throws the file system's error (ENOENT, EACCES, EISDIR, ...) when it cannot be read.
 */
export async function readFileWithin(file: string, maxBytes: number): Promise<Buffer | undefined> {
  const handle = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // One byte past the limit is enough to know the file is over it.
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) return undefined;
      chunks.push(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
    }
    return chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}
