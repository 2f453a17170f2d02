// Errors a service verb may raise on purpose. The tRPC layer maps each to one status; any
// other error is a bug and reaches the browser only as "internal error".

export class ServiceError extends Error {
  constructor(
    readonly code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST' | 'TOO_MANY_REQUESTS',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const notFound = (what: string) => new ServiceError('NOT_FOUND', `${what} was not found`);
export const forbidden = (message: string) => new ServiceError('FORBIDDEN', message);
export const conflict = (message: string, field?: string) => new ServiceError('CONFLICT', message, field);
export const badInput = (field: string, message: string) => new ServiceError('BAD_REQUEST', message, field);
export const unauthenticated = (message: string) => new ServiceError('UNAUTHORIZED', message);
export const tooManyRequests = (message: string) => new ServiceError('TOO_MANY_REQUESTS', message);
