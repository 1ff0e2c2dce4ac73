// ETSI ProblemDetails (SOL013 §6.3): the one error shape every API answers with.
// Errors are values carrying their HTTP meaning; the server maps them at the edge.

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
