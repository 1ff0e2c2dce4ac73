// Errors with ETSI meaning (SOL013 §6.3 ProblemDetails: status, title, detail).
// Modules throw these; only the HTTP edge (api/server.ts) turns them into responses.

export interface ProblemDetails {
  type?: string;
  title?: string;
  status: number;
  detail: string;
  instance?: string;
}

export class ProblemError extends Error {
  readonly status: number;
  readonly title: string;
  constructor(status: number, title: string, detail: string) {
    super(detail);
    this.status = status;
    this.title = title;
  }
  toProblem(): ProblemDetails {
    return { status: this.status, title: this.title, detail: this.message };
  }
}

export const badRequest = (detail: string) => new ProblemError(400, 'Bad Request', detail);
export const notFound = (detail: string) => new ProblemError(404, 'Not Found', detail);
export const conflict = (detail: string) => new ProblemError(409, 'Conflict', detail);
export const unprocessable = (detail: string) => new ProblemError(422, 'Unprocessable Content', detail);
