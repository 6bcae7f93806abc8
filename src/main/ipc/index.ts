export { dispatch, found } from './dispatch'
export type { InternalErrorLog } from './dispatch'
export { AppError, toErrorInfo } from './app-error'
export { createHandlers } from './handlers'
