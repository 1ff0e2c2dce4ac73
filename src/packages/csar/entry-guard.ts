// Counts the bytes really inflated for an entry. The central directory's sizes
// and CRC are claims made by whoever built the zip; this stream stops at the first
// byte beyond the declared size, so a lying header cannot fill the disk.
import { Transform } from 'node:stream';
import { crc32 } from 'node:zlib';
import { CsarError, q } from './errors.ts';

export function entryGuard(name: string, declaredSize: number, declaredCrc: number): Transform {
  let count = 0;
  let crc = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      count += chunk.length;
      if (count > declaredSize) {
        done(
          new CsarError(
            'ZIP_SIZE_MISMATCH',
            `zip entry ${q(name)} inflates to more than its declared ${declaredSize} bytes`,
          ),
        );
        return;
      }
      crc = crc32(chunk, crc);
      done(null, chunk);
    },
    flush(done) {
      if (count !== declaredSize) {
        done(
          new CsarError(
            'ZIP_SIZE_MISMATCH',
            `zip entry ${q(name)} inflates to ${count} bytes, not its declared ${declaredSize}`,
          ),
        );
        return;
      }
      if (crc !== declaredCrc) {
        done(new CsarError('ZIP_INVALID', `zip entry ${q(name)} is corrupt: its CRC-32 does not match`));
        return;
      }
      done();
    },
  });
}
