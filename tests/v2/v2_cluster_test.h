// V2ClusterTest: a fixture for suites that share one raftmq cluster (a group of 3 real
// broker processes) and call it through raw apache.rocketmq.v2 stubs, as an official client
// would (with its client id header). A suite starts the cluster in SetUpTestSuite
// (StartCluster, with its own broker flags) and stops it in TearDownTestSuite.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "proto/apache/rocketmq/v2/service.grpc.pb.h"
#include "tests/e2e/e2e_calls.h"

namespace raftmq::e2e {

namespace pb = ::apache::rocketmq::v2;

class V2ClusterTest : public testing::Test {
 protected:
  static void StartCluster(const ClusterOptions& options) {
    auto cluster = Cluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = cluster->release();
  }
  static void StopCluster() {
    delete cluster_;
    cluster_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(cluster_, nullptr);
    auto leader = cluster_->WaitForLeader(1);
    ASSERT_TRUE(leader.ok()) << leader.status().ToString();
    leader_ = *leader;
  }

  std::unique_ptr<pb::MessagingService::Stub> Stub(int node) const {
    return pb::MessagingService::NewStub(
        grpc::CreateChannel(cluster_->NodeAddress(1, node), grpc::InsecureChannelCredentials()));
  }
  // A call as an official client makes it: with its client id header.
  static std::unique_ptr<grpc::ClientContext> ClientContext() {
    auto context = Cluster::Context();
    context->AddMetadata("x-mq-client-id", "v2-e2e@1");
    return context;
  }
  int Follower() const { return leader_ % cluster_->nodes() + 1; }

  static inline Cluster* cluster_ = nullptr;
  int leader_ = 0;
};

}  // namespace raftmq::e2e
