// `faqbot serve` under systemd's Type=notify: a real serve process, started with NOTIFY_SOCKET
// naming a datagram socket the test reads, reports READY=1 once it accepts connections and
// STOPPING=1 when SIGTERM starts the drain, then exits cleanly.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

extern char** environ;

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
  const std::string db = notify.dir() + "/faqbot.db";

  std::vector<std::string> env = {"NOTIFY_SOCKET=" + notify.path()};
  for (char** e = environ; *e; ++e) {
    if (std::string(*e).rfind("NOTIFY_SOCKET=", 0) != 0) env.emplace_back(*e);
  }
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = {FAQBOT_EXECUTABLE, "serve",     "--port",
                                   "0",               "--bind",    "127.0.0.1",
                                   "--database",      "sqlite:" + db};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, FAQBOT_EXECUTABLE, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  ASSERT_EQ(rc, 0);
  std::FILE* stdout_of_serve = fdopen(out[0], "r");
  // Whatever fails below, the child does not outlive the test.
  std::unique_ptr<pid_t, void (*)(pid_t*)> reaper(&pid, [](pid_t* p) {
    if (*p <= 0) return;
    kill(*p, SIGKILL);
    waitpid(*p, nullptr, 0);
  });

  EXPECT_EQ(notify.Receive(), "READY=1");
  // Ready means listening: the banner with the port is out and the port accepts connections.
  char line[512];
  unsigned port = 0;
  ASSERT_TRUE(std::fgets(line, sizeof line, stdout_of_serve));
  ASSERT_EQ(std::sscanf(line, "faqbot serve: listening on http://127.0.0.1:%u", &port), 1) << line;
  EXPECT_TRUE(Accepts(port));

  kill(pid, SIGTERM);
  EXPECT_EQ(notify.Receive(), "STOPPING=1");
  int status = 0;
  waitpid(pid, &status, 0);
  pid = 0;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::fclose(stdout_of_serve);
}

}  // namespace
}  // namespace faqbot
