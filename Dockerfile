# syntax=docker/dockerfile:1
# The portal as one container: the web server and the poll scheduler in one Node 20 process.
#
#   docker build -t patient-portal .
#   docker run -d --name portal -p 3000:3000 -v portal-data:/data \
#     -v "$PWD/feeds.yaml:/app/feeds.yaml:ro" -e SITE_URL=https://portal.example.org/ patient-portal
#
# The database lives in the /data volume; mount your own feeds.yaml over /app/feeds.yaml to edit
# sources without rebuilding. Every setting of the README can be passed with -e.
# compose.yaml runs the same image as PostgreSQL, two web processes and a worker (README,
# "Growing past one machine").

# ---- build: compile TypeScript and better-sqlite3's native module ---------------------------
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# Dependencies first, so a code change does not reinstall them. (npm ci's prepare step finds no
# src/ yet and builds nothing; the build below does.)
COPY package.json package-lock.json .npmrc ./
COPY bin ./bin
RUN npm ci --loglevel=warn --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build \
 && npm prune --omit=dev --loglevel=warn --no-audit --no-fund

# ---- runtime: only what the running portal reads ---------------------------------------------
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_PATH=/data/portal.db \
    FEEDS_FILE=/app/feeds.yaml

# The application files stay owned by root: the portal only ever writes under /data.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY feeds.default.yaml ./feeds.yaml
COPY templates ./templates
COPY public ./public

# The image's own non-root user (uid 1000) owns the database folder.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node

EXPOSE 3000
# No curl in the slim image: Node's own fetch asks /healthz (200 when the process and database answer).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# The exec form makes node PID 1, so `docker stop` sends SIGTERM straight to the portal's
# graceful shutdown. An 8 MB young generation, as `npm start` runs it: V8's 16 MB default cost
# ~20 MB of peak RSS in a big poll pass for no throughput (bench/RESULTS.md).
CMD ["node", "--max-semi-space-size=8", "dist/src/main.js", "serve"]
