# syntax=docker/dockerfile:1
#
# omnithread's server image: `docker build -t omnithread .`
# Production needs OMNITHREAD_SITES and OMNITHREAD_KEYS (JSON text or the path of a mounted
# file) and a store: OMNITHREAD_STORE=redis with REDIS_URL. compose.yaml shows a whole set-up.
# test/deploy/kit.test.ts runs this file's runtime stage by hand on a built tree.

# ---- build: every dependency, then `npm run build` (widget, console, server and SDK as JS) ----
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- runtime: production dependencies and the built files only, run as `node` ----
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8787
WORKDIR /app
# The code belongs to root and is read-only to the server; only .omnithread/ (the default file
# store of attachments) is the node user's.
COPY package.json package-lock.json ./
# --omit=optional too: valibot names TypeScript as an optional peer, which npm's lock marks
# "devOptional" and installs under --omit=dev alone. The server has no optional dependency.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/demo ./demo
COPY --from=build /app/LICENSE /app/README.md ./
RUN mkdir -p /app/.omnithread/attachments && chown -R node:node /app/.omnithread
USER node
EXPOSE 8787
# /ready: 200 while the store answers within 1 s, else 503 (an instance that cannot serve).
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8787)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server/cli.js", "start"]
