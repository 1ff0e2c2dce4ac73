// A refusal of `vnfm package init`: one line an operator can act on.
export class InitError extends Error {
  override name = 'InitError';
}
