// The OS user audits name (src/config/os-user.ts), for entry points: the CLI reads it from here.
export { osUser } from '../config/os-user.js';
