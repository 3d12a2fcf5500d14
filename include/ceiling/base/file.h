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
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/result.h"

namespace ceiling {

// The largest input file any loader reads (the biggest bundled file, the validation CSV, is
// under 2 MB).
inline constexpr std::uint64_t kMaxInputFileBytes = std::uint64_t{16} << 20;

Result<std::string> ReadTextFile(const std::filesystem::path& path,
                                 std::string_view display_name = "",
                                 std::uint64_t max_bytes = kMaxInputFileBytes);

// The entries of `dir` whose names end in one of `extensions` (".toml"), sorted by path, so that
// every loader reads a folder in the same order on every machine. Entries are not filtered by
// type: one that is not a regular file reaches ReadTextFile, which says what it is. Empty when
// `dir` is missing or cannot be read (the caller decides whether that is an error); an error
// part-way through the listing ends it there, without throwing.
std::vector<std::filesystem::path> FilesIn(const std::filesystem::path& dir,
                                           std::initializer_list<std::string_view> extensions);

}  // namespace ceiling

#endif  // CEILING_BASE_FILE_H_
