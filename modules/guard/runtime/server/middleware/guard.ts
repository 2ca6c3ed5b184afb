import { guardMiddleware } from '../utils/guard-middleware'

/** The guard on every request (registered unless `skipServerMiddleware` is set). */
export default guardMiddleware()
