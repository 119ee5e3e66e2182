// `faqbot serve` under systemd's Type=notify: a real serve process, started with NOTIFY_SOCKET
// naming a datagram socket the test reads, reports READY=1 once it accepts connections and
// STOPPING=1 when SIGTERM starts the drain, then exits cleanly.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "serve_harness.h"

namespace faqbot {
namespace {

// A bound AF_UNIX datagram socket in a fresh temporary directory: systemd's side of sd_notify.
class NotifySocket {
 public:
  NotifySocket() {
    char dir[] = "/tmp/faqbot-notify.XXXXXX";
    if (!mkdtemp(dir)) return;
    dir_ = dir;
    path_ = dir_ + "/notify";
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~NotifySocket() {
    if (fd_ >= 0) close(fd_);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  bool ok() const { return fd_ >= 0; }
  const std::string& dir() const { return dir_; }
  const std::string& path() const { return path_; }

  // The next datagram, or "" when none arrives within a minute (a failure, not a timing check).
  std::string Receive() {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    if (poll(&p, 1, 60'000) != 1) return "";
    char buf[1024];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  std::string dir_;
  std::string path_;
  int fd_ = -1;
};

// True when something accepts TCP connections on 127.0.0.1:port.
bool Accepts(unsigned port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

TEST(ServeNotifyTest, ReportsReadyOnceListeningAndStoppingOnSigterm) {
  NotifySocket notify;
  ASSERT_TRUE(notify.ok());
  std::vector<std::string> env = {
      "NOTIFY_SOCKET=" + notify.path(),
      "FAQBOT_LEXICON=" + std::string(FAQBOT_BINARY_DIR) + "/lexicon.fwn",
      "PATH=/usr/bin:/bin",
  };
  for (const char* name : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) env.push_back(std::string(name) + "=" + value);
  }
  e2e::ServeProcess serve;
  const int port = serve.Start(env, notify.dir() + "/serve.log",
                               {"--database", "sqlite:" + notify.dir() + "/faqbot.db"});
  ASSERT_GT(port, 0);

  // Ready means listening: the banner with the port is out and the port accepts connections.
  EXPECT_EQ(notify.Receive(), "READY=1");
  EXPECT_TRUE(Accepts(static_cast<unsigned>(port)));

  const int status = serve.Kill(SIGTERM);
  EXPECT_EQ(notify.Receive(), "STOPPING=1");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace faqbot
