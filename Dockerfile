# syntax=docker/dockerfile:1
# flowreg: multi-stage build, small non-root runtime image.

# ---- build: compiles better-sqlite3 and the TypeScript sources ----
FROM node:20-bookworm AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# npm install with the committed lock (see scripts/ensure-node-deps.sh for why not npm ci).
RUN npm install --no-fund --no-audit
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY ui ./ui
RUN npm run build && npm prune --omit=dev

# ---- runtime ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    MLFLOW_HOST=0.0.0.0 \
    MLFLOW_PORT=5000 \
    MLFLOW_BACKEND_STORE_URI=sqlite:////data/mlflow.db \
    MLFLOW_ARTIFACTS_DESTINATION=/data/mlartifacts
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 5000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.MLFLOW_PORT||5000)+(process.env.MLFLOW_STATIC_PREFIX||'')+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/flowreg.js", "server"]
