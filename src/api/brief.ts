// Request text quoted in a ProblemDetails detail, cut short: a detail names the
// problem, it does not echo kilobytes of the request back.
export const brief = (text: string, max = 100): string =>
  text.length > max ? `${text.slice(0, max)}…` : text;
