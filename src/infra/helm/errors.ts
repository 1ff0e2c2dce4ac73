// Why a Helm-mode step failed, in words an operator can act on: which master node
// or local helm, which release, what helm or the cluster said. The LCM engine puts
// the message in the op occurrence's error (FAILED_TEMP), so it never carries a
// secret: transports redact their credentials from anything they pass up.

export class HelmError extends Error {
  override name = 'HelmError';
}
