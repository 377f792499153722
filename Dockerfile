# syntax=docker/dockerfile:1
# One Node major for every stage, so the build and the runtime can never disagree.
# (24 LTS is what the project is tested on; engines: >=24.11.)
ARG NODE_MAJOR=24

# Build stage: compile TypeScript with dev dependencies.
FROM node:${NODE_MAJOR}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Production dependencies only: no compiler, test runner or linter reaches the image.
# --ignore-scripts: no production dependency needs an install script.
FROM node:${NODE_MAJOR}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Minimal runtime: distroless Node (no shell, no package manager), numeric non-root
# user, so Kubernetes can verify runAsNonRoot without resolving a user name.
FROM gcr.io/distroless/nodejs${NODE_MAJOR}-debian12:nonroot
LABEL org.opencontainers.image.title="clairvoyance" \
      org.opencontainers.image.description="Deployment gate and progressive-rollout controller for Kubernetes" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
# A small young generation: much less memory for a little more CPU (dev/images/node-options.ts).
ENV NODE_OPTIONS="--max-semi-space-size=4"
WORKDIR /app
# package.json is needed at run time: it makes dist/ ESM ("type": "module") and carries the version.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node", "dist/cli/main.js"]
CMD ["run"]
