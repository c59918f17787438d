/** flowreg's version, reported by `GET /version` and `flowreg --version`. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const FLOWREG_VERSION: string = (require('../package.json') as { version: string }).version;
