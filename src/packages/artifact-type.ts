// The media type an artifact of a package is served with, from its file name's
// extension (SOL005 §10.4.5.3.2: the Content-Type of the artifact). The VNFM does
// not look inside: an extension it does not know is an octet stream.
import { posix } from 'node:path';

// YAML as text/yaml: it is text (SOL005 serves a VNFD file as text/plain), and a
// client or browser shows it as such; application/yaml (RFC 9512) is not always.
const BY_EXTENSION: Record<string, string> = {
  '.yaml': 'text/yaml',
  '.yml': 'text/yaml',
  '.json': 'application/json',
  '.tgz': 'application/gzip',
  '.gz': 'application/gzip',
  '.zip': 'application/zip',
  '.txt': 'text/plain',
  '.sh': 'text/plain',
};

export function artifactMediaType(path: string): string {
  return BY_EXTENSION[posix.extname(path).toLowerCase()] ?? 'application/octet-stream';
}
