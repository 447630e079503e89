# One image for both services: the api (default CMD) and the worker (`node dist/worker/main.js`).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused until they change.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
# Compiles to dist/ and prebuilds the workflow bundle (dist/workflow-bundle.js and its manifest).
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# webpack is still installed (a dependency of @temporalio/worker) but never runs here: the worker
# loads the bundle prebuilt above (WORKER_WORKFLOW_BUNDLE, default dist/workflow-bundle.js).
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
# The ops CLI launcher (npx postflow …); in the image it runs dist/cli/main.js.
COPY bin ./bin
# Root owns the files; the process only reads them.
USER node
EXPOSE 3000
CMD ["node", "dist/api/server.js"]
