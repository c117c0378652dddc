# Every dependency comes from a Debian 12 package (deploy/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(RocksDB CONFIG REQUIRED)
find_package(GTest CONFIG REQUIRED)
find_package(benchmark CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(tomlplusplus REQUIRED IMPORTED_TARGET tomlplusplus)
find_package(CLI11 CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)

if(RAFTMQ_WITH_GRPC)
  # Bookworm's Protobuf ships no CMake config: FindProtobuf + protobuf_generate.
  find_package(Protobuf REQUIRED)
  find_package(gRPC CONFIG REQUIRED)
  # MD5 of message bodies for RocketMQ 5 clients (broker/v2/; system_properties.body_digest).
  find_package(OpenSSL REQUIRED)
  find_package(prometheus-cpp CONFIG REQUIRED)
endif()

# The shared library links far smaller than the 7 MB static archive.
if(TARGET RocksDB::rocksdb-shared)
  set(RAFTMQ_ROCKSDB RocksDB::rocksdb-shared)
else()
  set(RAFTMQ_ROCKSDB RocksDB::rocksdb)
endif()
