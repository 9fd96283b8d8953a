# syntax=docker/dockerfile:1
# Build: compile TypeScript and bundle the web pages (Vite) with dev dependencies, then drop them.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# An npm workspace: its package.json must be there for npm ci.
COPY client/package.json ./client/
RUN npm ci
COPY tsconfig.json tsconfig.build.json schema.graphql ./
COPY client ./client
COPY src ./src
# The lobby page and GraphiQL (web/ → dist/web/, served at / and /graphiql).
COPY web ./web
# The server does not use the client workspace at run time: drop its link with the dev dependencies.
RUN npm run build && npm prune --omit=dev && rm -rf node_modules/@matchmaker

# Run: only compiled JS (with the bundled pages in dist/web), production dependencies and the sample catalog.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node catalog ./catalog
# The official image ships an unprivileged "node" user (uid 1000).
USER node
# 4000: API (GraphQL, /healthz, /readyz); 9100: /healthz and /metrics of every process (production).
EXPOSE 4000 9100
# Every process (api, worker, all) serves /healthz on METRICS_PORT in production; the image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.METRICS_PORT || 9100) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["all"]
