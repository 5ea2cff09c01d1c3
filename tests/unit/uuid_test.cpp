// NewUuid (events/clock.h): version-4 identifiers, never the same twice,
// also across threads and across a fork (its random bytes come in blocks).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events/clock.h"

namespace iam {
namespace {

TEST(NewUuid, IsAVersion4Uuid) {
  const std::regex form("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(std::regex_match(NewUuid(), form));
}

TEST(NewUuid, NeverRepeatsAcrossThreadsAndBlocks) {
  std::set<std::string> seen;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine;
      for (int i = 0; i < 2000; ++i) mine.push_back(NewUuid());  // several blocks each
      std::lock_guard lock(mu);
      seen.insert(mine.begin(), mine.end());
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(seen.size(), 8000u);
}

// A forked child starts with a copy of the parent's unused random bytes; it
// must not hand them out as the parent does.
TEST(NewUuid, AForkedChildDrawsOtherIdentifiersThanItsParent) {
  NewUuid();  // the parent's block is filled and partly used
  int pipe_ends[2];
  ASSERT_EQ(pipe(pipe_ends), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string id = NewUuid();
    const bool written = write(pipe_ends[1], id.data(), id.size()) == static_cast<ssize_t>(id.size());
    _exit(written ? 0 : 1);
  }
  close(pipe_ends[1]);
  const std::string parent_id = NewUuid();
  char buffer[64] = {};
  const ssize_t got = read(pipe_ends[0], buffer, sizeof buffer);
  close(pipe_ends[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(got, 36);
  EXPECT_NE(std::string(buffer, 36), parent_id);
}

}  // namespace
}  // namespace iam
