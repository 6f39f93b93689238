// The desk stores its secrets as every service of the server does (see src/web/secret-hash.ts).
export { hashSecret } from '../web/secret-hash.js';
