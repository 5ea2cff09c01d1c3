// The group JSON writer on a deep chain of groups: it must not recurse, so an
// I/O thread's stack bounds nothing (a chain can be as deep as the account
// has groups).
#include <gtest/gtest.h>
#include <pthread.h>

#include <algorithm>
#include <string>

#include "api/v3/group_json.h"
#include "events/group_events.h"

namespace iam {
namespace {

projections::GroupDirectory Chain(int depth) {
  projections::GroupDirectory groups;
  for (int i = 0; i < depth; ++i) {
    const int64_t id = 10000 + i;
    events::Event e;
    e.position = static_cast<uint64_t>(i + 1);
    e.aggregate_type = events::kGroupAggregate;
    e.aggregate_id = std::to_string(id);
    e.resource_owner = "1-ACCT";
    const events::NewEvent created = events::ToNewEvent(events::GroupCreated{id, "g" + std::to_string(i), i == 0 ? 0 : id - 1});
    e.event_type = created.event_type;
    e.payload = created.payload;
    EXPECT_TRUE(groups.Apply(e, nullptr, nullptr).ok());
  }
  return groups;
}

struct Job {
  const projections::GroupDirectory* groups;
  std::string json;
};

TEST(GroupJson, ADeepChainIsWrittenOnASmallStack) {
  constexpr int kDepth = 20000;
  const projections::GroupDirectory groups = Chain(kDepth);
  Job job{&groups, {}};
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  // 256 KiB: a recursive writer needs far more for 20,000 levels.
  pthread_attr_setstacksize(&attributes, 256 * 1024);
  pthread_t thread;
  ASSERT_EQ(pthread_create(
                &thread, &attributes,
                [](void* arg) -> void* {
                  auto* job = static_cast<Job*>(arg);
                  job->json = api::GroupJson(*job->groups, *job->groups->Find(10000),
                                             [](const projections::GroupRecord& g) {
                                               return api::GroupActions{g.subgroup_ids.empty(), true};
                                             });
                  return nullptr;
                },
                &job),
            0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);

  size_t members = 0;
  for (size_t at = job.json.find("\"groupId\""); at != std::string::npos; at = job.json.find("\"groupId\"", at + 1)) {
    ++members;
  }
  EXPECT_EQ(members, static_cast<size_t>(kDepth));
  EXPECT_EQ(std::count(job.json.begin(), job.json.end(), '{'), std::count(job.json.begin(), job.json.end(), '}'));
  EXPECT_TRUE(job.json.starts_with("{\"groupId\":10000,"));
  EXPECT_TRUE(job.json.ends_with("]}"));
  // The deepest group has no subgroups and may be deleted.
  EXPECT_NE(job.json.find("\"groupId\":29999,\"groupName\":\"g19999\""), std::string::npos);
}

}  // namespace
}  // namespace iam
