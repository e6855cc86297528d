// ng serve forwards the console's /api and /metrics calls to the backend. `npm run dev` sets
// SKYY_DEV_API to the address the API really listens on (PORT, HOST or config.yaml, see
// scripts/api-target.mjs); `ng serve` on its own follows PORT, else the default :8080.
const target = process.env.SKYY_DEV_API || `http://127.0.0.1:${process.env.PORT || 8080}`;

export default {
  '/api': { target, secure: false, changeOrigin: false },
  '/metrics': { target, secure: false },
};
