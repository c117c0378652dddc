// BackgroundWorker: one thread that runs a round, then sleeps until the wait the round asked
// for passes, Wake() is called or Stop() is — the loop of every service thread (delay
// scheduler, long polling, nameserver registration, route expiry), written once.
//
// A Wake() during a round is not lost: the next wait ends at once. Rounds never overlap.
//
// Threading: Start and Stop from the owner; Wake from any thread; the round on the worker's
// thread only.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace raftmq {

class BackgroundWorker {
 public:
  // How long to sleep before the next round; nullopt sleeps until Wake() or Stop().
  using Round = std::function<std::optional<std::chrono::milliseconds>()>;

  explicit BackgroundWorker(Round round);
  ~BackgroundWorker();  // Stop()
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  // Starts the thread, which runs the first round at once. At most once.
  void Start();
  // Runs the next round now (or right after the current one).
  void Wake();
  // Ends the wait and joins the thread after its current round; no round runs after it
  // returns. Idempotent; a worker never started just stays stopped.
  void Stop();

 private:
  void Run();

  const Round round_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;     // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace raftmq
