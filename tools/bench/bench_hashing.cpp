// bench_hashing: the raw argon2id hash rate of this machine at iamd's cost
// (commands/password_hashing.h), from 1 and 2 threads: the baseline that
// password operations and sign-ins over HTTP are compared with (D-19).
// Prints one JSON line per measurement.
#include <CLI/CLI.hpp>

#include "commands/password_hashing.h"
#include "tools/bench/thread_sample.h"

int main(int argc, char** argv) {
  int seconds = 5;
  CLI::App app{"argon2id hashes per second at iamd's configured cost"};
  app.add_option("--seconds", seconds, "time limit of each measurement")->check(CLI::Range(1, 120))->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  for (int threads : {1, 2}) {
    auto sample = iam::bench::RunThreads(threads, 100'000, std::chrono::milliseconds(seconds * 1000), [](int, uint64_t) {
      return iam::commands::HashPassword("correct horse battery staple 1").ok();
    });
    iam::bench::PrintSample("argon2id-hash", threads, sample, 1, "hashes");
  }
  return 0;
}
