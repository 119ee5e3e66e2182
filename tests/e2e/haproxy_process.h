// Test and benchmark support: Debian's `haproxy` on loopback, round-robin over several
// `faqbot serve` processes, as an operator would put it in front of them
// (examples/haproxy.cfg). Header-only glue around the real binary; no gtest here, so the
// benchmarks use it too.
//
// Thread-safety: none; one thread starts and stops it.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace faqbot::e2e {

// Where Debian installs haproxy; empty when it is not installed.
inline std::string HaproxyBinary() {
  for (const char* path : {"/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

// A loopback TCP port nobody listens on right now (bound, read and closed: another program could
// take it before haproxy does, which on a test machine does not happen in practice). 0 on error.
inline int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// The configuration of examples/haproxy.cfg with loopback ports and small timeouts: `mode
// http`, `balance roundrobin` over `backend_ports` (servers s1, s2, …), readiness checks
// (/readyz) every 200 ms so a dead process leaves the rotation at once, and a request whose
// connection is refused redispatched to another server. Requests are logged to stdout, one line
// each, naming the server that took it.
inline std::string HaproxyConfig(int port, const std::vector<int>& backend_ports) {
  std::string cfg =
      "global\n"
      "  log stdout format raw local0 info\n"
      "  maxconn 4096\n"
      "defaults\n"
      "  mode http\n"
      "  log global\n"
      "  option httplog\n"
      "  option redispatch 1\n"
      "  retries 3\n"
      "  timeout connect 1s\n"
      "  timeout client 10s\n"
      "  timeout server 10s\n"
      "  timeout check 1s\n"
      "frontend slack\n"
      "  bind 127.0.0.1:" +
      std::to_string(port) +
      "\n"
      "  default_backend faqbot\n"
      "backend faqbot\n"
      "  balance roundrobin\n"
      "  option httpchk GET /readyz\n"
      "  default-server check inter 200ms fall 1 rise 2\n";
  for (size_t i = 0; i < backend_ports.size(); ++i) {
    cfg += "  server s" + std::to_string(i + 1) + " 127.0.0.1:" + std::to_string(backend_ports[i]) +
           "\n";
  }
  return cfg;
}

// A `haproxy -db -f <dir>/haproxy.cfg` child; its stdout and stderr (the request log) go to
// `<dir>/haproxy.log`. Stopped (SIGTERM, then waited for) at destruction.
class HaproxyProcess {
 public:
  HaproxyProcess() = default;
  ~HaproxyProcess() { Stop(); }
  HaproxyProcess(const HaproxyProcess&) = delete;
  HaproxyProcess& operator=(const HaproxyProcess&) = delete;

  // Writes the configuration for `backend_ports` into `dir`, starts haproxy on a free loopback
  // port and waits (up to 10 s) until that port accepts connections; returns the port, 0 on
  // failure (haproxy missing, or it exited: see log_path()).
  int Start(const std::string& dir, const std::vector<int>& backend_ports) {
    const std::string binary = HaproxyBinary();
    if (binary.empty()) return 0;
    const int port = FreeLoopbackPort();
    if (port == 0) return 0;
    const std::string cfg_path = dir + "/haproxy.cfg";
    log_path_ = dir + "/haproxy.log";
    std::ofstream(cfg_path) << HaproxyConfig(port, backend_ports);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<std::string> args = {binary, "-db", "-f", cfg_path};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    char* envp[] = {nullptr};
    const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), envp);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      pid_ = 0;
      return 0;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return 0;
      }
      if (Accepts(port)) return port;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Stop();
    return 0;
  }

  // haproxy's stdout and stderr: its request log (one line per request, naming the server).
  const std::string& log_path() const { return log_path_; }

  // The request log so far.
  std::string Log() const {
    std::ifstream in(log_path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // SIGTERM and waits for the exit. Idempotent.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
  }

 private:
  static bool Accepts(int port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
  }

  pid_t pid_ = 0;
  std::string log_path_;
};

}  // namespace faqbot::e2e
