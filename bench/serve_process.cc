#include "serve_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace faqbot::bench {

Result<std::unique_ptr<ServeProcess>> ServeProcess::Start(const ServeProcessOptions& options) {
  int out[2];
  if (pipe(out) != 0) return UnavailableError("pipe failed");
  std::vector<std::string> args = {options.binary,       "serve",  "--database",
                                   options.database_url, "--port", "0"};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  const pid_t pid = fork();
  if (pid < 0) return UnavailableError("fork failed");
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    const std::string log = options.log_path.empty() ? "/dev/null" : options.log_path;
    const int err = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err >= 0) dup2(err, STDERR_FILENO);
    setenv("SLACK_BOT_TOKEN", options.bot_token.c_str(), 1);
    setenv("SLACK_SIGNING_SECRET", options.signing_secret.c_str(), 1);
    unsetenv("SLACK_APP_TOKEN");
    setenv("FAQBOT_SLACK_API_URL", options.slack_api_url.c_str(), 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::unique_ptr<ServeProcess> process(new ServeProcess());
  process->pid_ = pid;
  process->stdout_fd_ = out[0];
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  const std::string marker = "listening on http://";
  const size_t at = line.find(marker);
  const size_t colon = at == std::string::npos ? at : line.find(':', at + marker.size());
  if (colon == std::string::npos) {
    return UnavailableError("faqbot serve did not start (first line: '" + line + "')");
  }
  process->port_ = static_cast<uint16_t>(std::atoi(line.c_str() + colon + 1));
  return process;
}

ServeProcess::~ServeProcess() { Stop(); }

std::string ServeProcess::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

int ServeProcess::Stop() {
  if (pid_ <= 0) return 0;
  kill(pid_, SIGTERM);
  int status = 0;
  // A drain stuck behind paced messages would take minutes: after 5 s, kill.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    usleep(10'000);
  }
  pid_ = -1;
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdout_fd_ = -1;
  return status;
}

size_t ResidentBytes(pid_t pid) {
  std::ifstream in(pid == 0 ? "/proc/self/status" : "/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      size_t kb = 0;
      fields >> kb;
      return kb * 1024;
    }
  }
  return 0;
}

double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close_paren + 2));
  std::string field;
  double utime = 0, stime = 0;
  // Fields after "(comm)": state is 3rd overall; utime and stime are the 14th and 15th.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace faqbot::bench
