#include "common/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace faqbot {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

// Writes all of `bytes` to `fd`; false (errno set) on an error.
bool WriteAll(int fd, std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// Writes `bytes` into `path` where it is (a device, a pipe, the target of a dangling link).
Status WriteInPlace(const std::string& path, std::string_view bytes) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return UnavailableError("cannot open " + path + ": " + ErrnoText());
  if (!WriteAll(fd, bytes)) {
    const std::string err = ErrnoText();
    close(fd);
    return UnavailableError("cannot write " + path + ": " + err);
  }
  if (close(fd) != 0) return UnavailableError("cannot write " + path + ": " + ErrnoText());
  return Status::Ok();
}

}  // namespace

Result<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFoundError("no such file: " + path);
    return UnavailableError("cannot open " + path + ": " + ErrnoText());
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string err = ErrnoText();
      close(fd);
      return UnavailableError("cannot read " + path + ": " + err);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      close(fd);
      return ResourceExhaustedError(path + " is larger than " + std::to_string(max_bytes) +
                                    " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

Status WriteFileAtomically(const std::string& given, std::string_view bytes) {
  std::string path = given;
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    // Replace what the link points to, not the link.
    if (char* resolved = realpath(path.c_str(), nullptr); resolved != nullptr) {
      path = resolved;
      std::free(resolved);
    } else {
      return WriteInPlace(path, bytes);  // a dangling link: open() follows it and creates
    }
  }
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) return WriteInPlace(path, bytes);
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return UnavailableError("cannot create " + tmp + ": " + ErrnoText());
  if (!WriteAll(fd, bytes)) {
    const std::string err = ErrnoText();
    close(fd);
    unlink(tmp.c_str());
    return UnavailableError("cannot write " + tmp + ": " + err);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(tmp.c_str());
    return UnavailableError("cannot flush " + tmp + ": " + ErrnoText());
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = ErrnoText();
    unlink(tmp.c_str());
    return UnavailableError("cannot rename " + tmp + " to " + path + ": " + err);
  }
  // Make the rename itself durable.
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  if (const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return Status::Ok();
}

}  // namespace faqbot
