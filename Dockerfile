# Build stage: compile the release binary (migrations, templates, assets and the demo
# dataset are compiled into it).
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/entente

# Runtime stage: the binary alone, as an unprivileged user, with the database on a volume.
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data entente \
 && mkdir -p /data && chown entente /data
COPY --from=build /src/target/release/entente /usr/local/bin/entente
USER entente
VOLUME ["/data"]
ENV ENTENTE_BIND=0.0.0.0:3000 \
    ENTENTE_DATABASE=/data/entente.sqlite3 \
    RUST_LOG=info
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/3000 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ok <&3"]
CMD ["entente", "serve"]
