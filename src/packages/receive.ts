// Receives package content as a stream into a file: bounded memory, a size cap,
// and the SHA-256 of the whole package computed on the way.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Checksum } from './model.ts';

export class TooLargeError extends Error {
  override name = 'TooLargeError';
}

export interface ReceiveLimit {
  maxBytes: number;
  /** Why no more may come, for the TooLargeError (defaults to the plain size limit). */
  reason?: string;
  /** Told the size received so far, after each chunk. */
  progress?: (size: number) => void;
}

export async function receiveToFile(
  source: Readable,
  partial: string,
  final: string,
  limit: ReceiveLimit,
): Promise<{ size: number; checksum: Checksum }> {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > limit.maxBytes)
        return cb(
          new TooLargeError(limit.reason ?? `package content exceeds the limit of ${limit.maxBytes} bytes`),
        );
      limit.progress?.(size);
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, createWriteStream(partial));
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
  await rename(partial, final);
  return { size, checksum: { algorithm: 'SHA-256', hash: hash.digest('hex') } };
}
