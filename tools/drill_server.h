// An iamd child process for the drills (tools/drill_*.cpp): started on the
// loopback with an ephemeral port on a data directory, reached with its
// bootstrap credential, stopped by a signal. For programs, not the server.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "api/auth/edgerc.h"
#include "api/http/host_port.h"
#include "api/http/http_client.h"
#include "tools/group_listing.h"
#include "tools/signed_requests.h"

namespace iam::tools {

struct DrillServer {
  pid_t pid = -1;
  SignedTarget target;
  std::string top;  // the top-level group's id
};

inline std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// In a forked child: runs `argv` with its stdout going to `stdout_path`.
[[noreturn]] inline void ExecWithStdout(const std::vector<std::string>& argv, const char* stdout_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  if (!std::freopen(stdout_path, "w", stdout)) _exit(126);
  execv(args[0], args.data());
  _exit(127);
}

// Forks and execs `argv`, its stdout to /dev/null (only the drill's report
// goes to stdout). -1 when fork fails.
inline pid_t SpawnQuietly(const std::vector<std::string>& argv) {
  const pid_t pid = fork();
  if (pid == 0) ExecWithStdout(argv, "/dev/null");
  return pid;
}

// The arguments that start `iamd` on `data` at 127.0.0.1:0, plus `extra`.
inline std::vector<std::string> IamdArguments(const std::string& iamd, const std::filesystem::path& data,
                                              const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {iamd, "--data-dir", data.string(), "--listen", "127.0.0.1:0",
                                   "--log-level", "error"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// Starts iamd and waits (at most a minute) until a signed request is
// answered 200. False when it does not come up (the process is left for
// StopServer).
inline bool StartServer(const std::vector<std::string>& argv, const std::filesystem::path& data, DrillServer& out) {
  std::filesystem::remove(data / "server.address");
  out.pid = SpawnQuietly(argv);
  if (out.pid < 0) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::string address = ReadWholeFile(data / "server.address");
    if (address.empty() || address.back() != '\n' || !std::filesystem::exists(data / ".edgerc")) continue;
    address.pop_back();
    auto host_port = api::ParseHostPort(address, false);
    auto credential = api::ReadEdgerc((data / ".edgerc").string());
    if (!host_port.ok() || !credential.ok()) continue;
    credential->host = address;
    out.target = {"127.0.0.1", host_port->port, *credential};
    api::HttpClient probe({"127.0.0.1", host_port->port, false, "", std::chrono::milliseconds(2000)});
    auto listing = probe.Send(SignedRequest(out.target, "GET", "/identity-management/v3/user-admin/groups", ""));
    if (!listing.ok() || listing->status != 200) continue;
    out.top = TopGroupId(listing->body);
    return true;
  }
  return false;
}

// Sends `signal` and reaps the process.
inline void StopServer(DrillServer& server, int signal) {
  if (server.pid <= 0) return;
  kill(server.pid, signal);
  waitpid(server.pid, nullptr, 0);
  server.pid = -1;
}

}  // namespace iam::tools
