// Counts the bytes really inflated for an entry, and for the whole archive. The
// central directory's sizes and CRC are claims made by whoever built the zip; this
// stream stops at the first byte beyond the declared size of the entry, or beyond
// the archive's budget, so a lying header cannot fill the disk.
import { Transform } from 'node:stream';
import { crc32 } from 'node:zlib';
import { CsarError, q } from './errors.ts';

/** Bytes inflated so far over all entries of one archive, and how many it may inflate. */
export interface InflateBudget {
  inflated: number;
  readonly maxBytes: number;
}

export function entryGuard(
  name: string,
  declaredSize: number,
  declaredCrc: number,
  budget: InflateBudget,
): Transform {
  let count = 0;
  let crc = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      count += chunk.length;
      budget.inflated += chunk.length;
      if (count > declaredSize) {
        done(
          new CsarError(
            'ZIP_SIZE_MISMATCH',
            `zip entry ${q(name)} inflates to more than its declared ${declaredSize} bytes`,
          ),
        );
        return;
      }
      if (budget.inflated > budget.maxBytes) {
        done(
          new CsarError(
            'ZIP_TOO_LARGE',
            `the zip inflates to more than ${budget.maxBytes} bytes in total (counted at entry ${q(name)})`,
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
