// Reads a small text file of an extracted package whole (a VNFD file, a manifest),
// refusing what could block, lead elsewhere or not end: it opens without following
// a link and without waiting on a FIFO, accepts only a regular file of at most
// `maxBytes`, and only valid UTF-8. Callers turn the refusal into their own error.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export type BoundedRead =
  | { text: string }
  | { refused: 'missing' | 'link' | 'unreadable' | 'not a file' | 'too large' | 'not UTF-8'; detail: string };

export function readBoundedText(absPath: string, maxBytes: number): BoundedRead {
  let fd: number;
  try {
    fd = openSync(absPath, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (err) {
    const code = String((err as NodeJS.ErrnoException).code);
    if (code === 'ENOENT') return { refused: 'missing', detail: 'does not exist' };
    if (code === 'ELOOP') return { refused: 'link', detail: 'is a symbolic link' };
    return { refused: 'unreadable', detail: `cannot be read (${code})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { refused: 'not a file', detail: 'is not a regular file' };
    if (st.size > maxBytes)
      return { refused: 'too large', detail: `is ${st.size} bytes, over the ${maxBytes} allowed` };
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, off)) };
    } catch {
      return { refused: 'not UTF-8', detail: 'is not valid UTF-8' };
    }
  } finally {
    closeSync(fd);
  }
}
