// What a write's failure tells the client: ABORTED from the broker, or no answer before the
// deadline, means the entry may still commit (outcome unknown, the Producer retries
// at-least-once and says so); every other error means "not stored".
#include <gtest/gtest.h>

#include "client/grpc_status.h"
#include "common/loopback_port.h"
#include "proto/messaging.grpc.pb.h"

namespace raftmq::client {
namespace {

TEST(GrpcStatus, AnAbortedWriteHasAnUnknownOutcomeAndIsRetried) {
  const Status aborted = FromGrpc(grpc::Status(grpc::StatusCode::ABORTED, "outcome unknown: the entry may still commit"),
                                  "SendMessage to 127.0.0.1:1");
  EXPECT_TRUE(IsOutcomeUnknown(aborted)) << aborted.ToString();
  EXPECT_TRUE(IsRetriable(aborted));
  EXPECT_NE(aborted.ToString().find("may still commit"), std::string::npos) << aborted.ToString();
}

TEST(GrpcStatus, AWriteWithNoAnswerBeforeTheDeadlineHasAnUnknownOutcomeAndIsRetried) {
  const Status timed_out = FromGrpc(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"),
                                    "SendMessage to 127.0.0.1:1");
  EXPECT_TRUE(timed_out.IsDeadlineExceeded()) << timed_out.ToString();
  EXPECT_TRUE(IsOutcomeUnknown(timed_out)) << timed_out.ToString();
  EXPECT_TRUE(IsRetriable(timed_out));
  EXPECT_TRUE(IsNodeUnanswering(timed_out)) << "the next attempt asks another node";
}

TEST(GrpcStatus, DefiniteRefusalsMeanNotStored) {
  for (grpc::StatusCode code : {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::RESOURCE_EXHAUSTED,
                                grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::NOT_FOUND}) {
    const Status status = FromGrpc(grpc::Status(code, "refused"), "SendMessage");
    EXPECT_FALSE(IsOutcomeUnknown(status)) << status.ToString();
  }
}

TEST(GrpcStatus, ABrokerThatCouldNotBeReachedDidNotStoreTheWrite) {
  auto port = ReserveLoopbackPort();  // bound, never listening: connections are refused
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  auto stub = messaging::MessagingService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(*port), grpc::InsecureChannelCredentials()));
  auto context = NewContext(5000);
  messaging::SendMessageResponse response;
  const grpc::Status answer = stub->SendMessage(context.get(), messaging::SendMessageRequest(), &response);
  const Status status = FromBrokerGrpc(answer, *context, "SendMessage");
  EXPECT_TRUE(status.IsUnavailable()) << status.ToString();
  EXPECT_FALSE(IsOutcomeUnknown(status)) << status.ToString();
  EXPECT_TRUE(IsNodeUnanswering(status)) << "the next attempt asks another node";
}

}  // namespace
}  // namespace raftmq::client
