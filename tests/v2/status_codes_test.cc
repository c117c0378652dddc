// RocketMQ 5 status codes for the broker's gRPC statuses (broker/v2/status_codes.h).
#include "broker/v2/status_codes.h"

#include <gtest/gtest.h>

namespace raftmq::broker::v2 {
namespace {

pb::Code CodeOf(grpc::StatusCode code) { return FromGrpc(grpc::Status(code, "why")).code(); }

TEST(StatusCodes, OkIsTwentyThousand) {
  EXPECT_EQ(FromGrpc(grpc::Status::OK).code(), pb::OK);
  EXPECT_EQ(static_cast<int>(pb::OK), 20000);
  EXPECT_EQ(OkStatus().code(), pb::OK);
}

TEST(StatusCodes, MapsEachRefusalOfTheSharedSendPath) {
  EXPECT_EQ(CodeOf(grpc::StatusCode::INVALID_ARGUMENT), pb::BAD_REQUEST);
  EXPECT_EQ(CodeOf(grpc::StatusCode::PERMISSION_DENIED), pb::FORBIDDEN);
  EXPECT_EQ(CodeOf(grpc::StatusCode::RESOURCE_EXHAUSTED), pb::TOO_MANY_REQUESTS);
  EXPECT_EQ(CodeOf(grpc::StatusCode::UNAVAILABLE), pb::HA_NOT_AVAILABLE);
  EXPECT_EQ(CodeOf(grpc::StatusCode::ABORTED), pb::MASTER_PERSISTENCE_TIMEOUT);
  EXPECT_EQ(CodeOf(grpc::StatusCode::NOT_FOUND), pb::NOT_FOUND);
  EXPECT_EQ(FromGrpc(grpc::Status(grpc::StatusCode::NOT_FOUND, "no topic"), pb::TOPIC_NOT_FOUND).code(),
            pb::TOPIC_NOT_FOUND);
  EXPECT_EQ(FromGrpc(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "topic 'x' is not writable")).message(),
            "topic 'x' is not writable");
}

TEST(StatusCodes, NeverAnswersUnspecified) {
  for (int code = 0; code <= 16; ++code) {
    EXPECT_NE(CodeOf(static_cast<grpc::StatusCode>(code)), pb::CODE_UNSPECIFIED) << "gRPC code " << code;
  }
}

}  // namespace
}  // namespace raftmq::broker::v2
