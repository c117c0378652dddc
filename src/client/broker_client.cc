#include "client/broker_client.h"

#include "common/assert.h"

namespace raftmq::client {

bool CallCanceller::Attach(grpc::ClientContext* context) {
  RMQ_ASSERT(context != nullptr);
  std::lock_guard lock(mutex_);
  RMQ_ASSERT(context_ == nullptr);
  if (cancelled_) return false;
  context_ = context;
  return true;
}

void CallCanceller::Detach() {
  std::lock_guard lock(mutex_);
  context_ = nullptr;
}

void CallCanceller::Cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  if (context_ != nullptr) context_->TryCancel();
}

bool CallCanceller::cancelled() const {
  std::lock_guard lock(mutex_);
  return cancelled_;
}

}  // namespace raftmq::client
