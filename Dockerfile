# ceiling serve on Debian 12 packages only. Not exercised by CI (its machine has no Docker engine):
# the steps are those of scripts/setup.sh and `make build`.
#   docker build -t ceiling . && docker run -p 8080:8080 ceiling
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      cmake ninja-build g++ pkg-config make sudo \
      libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libfmt-dev \
      libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev libgoogle-perftools-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DBUILD_TESTING=OFF -DCEILING_BUILD_BENCH=OFF \
      -DCEILING_DATA_DIR=/opt/ceiling/data \
    && cmake --build build --target ceiling

FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends \
      libtomlplusplus3 libfmt9 libcpp-httplib0.11 libtcmalloc-minimal4 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/ceiling /usr/local/bin/ceiling
COPY data /opt/ceiling/data
EXPOSE 8080
USER nobody
ENTRYPOINT ["ceiling", "serve", "--host", "0.0.0.0", "--port", "8080"]
