# trellis in a container, for CI systems without Rust:
#   docker build -t trellis .
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/repo" trellis check
# The binary is static (musl), so the image is Alpine with git and
# certificates (drift --upstream asks the Go proxy and crates.io over https).
# Run as the owner of the mounted checkout: git refuses repositories owned by
# another user (safe.directory), and trellis reads them through libgit2.

FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin trellis && strip target/release/trellis

FROM alpine:3.22
RUN apk add --no-cache git ca-certificates
COPY --from=build /src/target/release/trellis /usr/local/bin/trellis
WORKDIR /repo
ENTRYPOINT ["trellis"]
CMD ["check"]
