// The one logger factory. Secrets are redacted by key wherever they appear in a
// logged object, so a careless `log.info({vim})` cannot leak a token or password.
import pino from 'pino';

export const REDACTED_KEYS = [
  'password',
  'masternode_password',
  'bearer_token',
  'client_key',
  'private_key',
  'masternode_private_key',
  'ssh_private_key',
  'authorization',
  'token',
];

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);
  return pino({ level, redact: { paths, censor: '***' } }, destination);
}
