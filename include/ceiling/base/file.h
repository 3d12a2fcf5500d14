// Reading input files: the one place the library reads a file from disk.
//
// Every loader (chips, rules, countries, models, designs, systems, calibration, validation) reads
// through ReadTextFile, so that every one of them has the same limits: only regular files (a
// FIFO, a device such as /dev/zero or /dev/urandom, a directory or a socket is refused before a
// byte is read), and at most `max_bytes` bytes (a file that grows while it is read stops at the
// cap too).
//
//   ASSIGN_OR_RETURN(std::string text, ReadTextFile("data/chips/nvidia/h20.toml", "h20.toml"));
//
// Errors, each naming `display_name` (the path as given when empty):
//   kNotFound   "x.toml: no such file"
//   kIo         "x.toml: is a directory, not a file", "x.toml: is not a regular file (a device,
//               FIFO or socket)", "x.toml: cannot read file: Permission denied"
//   kTooLarge   "x.toml: file is larger than the 16 MiB limit for input files"
// Thread safety: reentrant; no shared state.
#ifndef CEILING_BASE_FILE_H_
#define CEILING_BASE_FILE_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "ceiling/base/result.h"

namespace ceiling {

// The largest input file any loader reads (the biggest bundled file, the validation CSV, is
// under 2 MB).
inline constexpr std::uint64_t kMaxInputFileBytes = std::uint64_t{16} << 20;

Result<std::string> ReadTextFile(const std::filesystem::path& path,
                                 std::string_view display_name = "",
                                 std::uint64_t max_bytes = kMaxInputFileBytes);

}  // namespace ceiling

#endif  // CEILING_BASE_FILE_H_
