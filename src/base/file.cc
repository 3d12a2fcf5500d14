// Bounded reading of regular files (see file.h). POSIX calls, so that the file is checked after
// it is opened (no window between a check and the read) and a FIFO cannot block the open.
#include "ceiling/base/file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ceiling {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string Limit(std::uint64_t bytes) {
  if (bytes % (std::uint64_t{1} << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes % (std::uint64_t{1} << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

}  // namespace

Result<std::string> ReadTextFile(const std::filesystem::path& path, std::string_view display_name,
                                 std::uint64_t max_bytes) {
  const std::string name = display_name.empty() ? path.string() : std::string(display_name);
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      return MakeError(ErrorCode::kNotFound, fmt::format("{}: no such file", name));
    return MakeError(ErrorCode::kIo,
                     fmt::format("{}: cannot read file: {}", name, std::strerror(err)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return MakeError(ErrorCode::kIo,
                     fmt::format("{}: cannot read file: {}", name, std::strerror(errno)));
  if (S_ISDIR(st.st_mode))
    return MakeError(ErrorCode::kIo, fmt::format("{}: is a directory, not a file", name));
  if (!S_ISREG(st.st_mode))
    return MakeError(ErrorCode::kIo, fmt::format("{}: is not a regular file (a device, FIFO or "
                                                 "socket); only regular files are read",
                                                 name));
  const auto too_large = [&] {
    return MakeError(ErrorCode::kTooLarge, fmt::format("{}: file is larger than the {} limit "
                                                       "for input files",
                                                       name, Limit(max_bytes)));
  };
  if (st.st_size > 0 && static_cast<std::uint64_t>(st.st_size) > max_bytes) return too_large();
  // The size may be 0 (files under /proc) or change while reading: read until the end, but never
  // past the cap.
  std::string out;
  out.reserve(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 0));
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kIo,
                       fmt::format("{}: cannot read file: {}", name, std::strerror(errno)));
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) return too_large();
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::vector<std::filesystem::path> FilesIn(const std::filesystem::path& dir,
                                           std::initializer_list<std::string_view> extensions) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string ext = it->path().extension().string();
    if (std::find(extensions.begin(), extensions.end(), ext) != extensions.end())
      files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace ceiling
