// Replays fuzz-target entry points over saved inputs in the normal build (no libFuzzer): every
// crash a fuzzer ever found is kept under fuzz/regressions/TARGET/ and ctest runs it through the
// same code. Usage: fuzz_replay TARGET PATH... (files, or directories read recursively).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#define CEILING_FUZZ_TARGET(name) \
  extern "C" int CeilingFuzz_##name(const std::uint8_t* data, std::size_t size);
#include "targets.inc"
#undef CEILING_FUZZ_TARGET

int main(int argc, char** argv) {
  using Entry = int (*)(const std::uint8_t*, std::size_t);
  const std::map<std::string, Entry> targets = {
#define CEILING_FUZZ_TARGET(name) {#name, &CeilingFuzz_##name},
#include "targets.inc"
#undef CEILING_FUZZ_TARGET
  };
  if (argc < 2 || targets.count(argv[1]) == 0) {
    std::fprintf(stderr, "usage: fuzz_replay TARGET PATH...\n");
    return 2;
  }
  const Entry entry = targets.at(argv[1]);
  std::vector<std::filesystem::path> files;
  for (int i = 2; i < argc; ++i) {
    const std::filesystem::path p(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p, ec))
        if (e.is_regular_file() && e.path().filename() != "README.md") files.push_back(e.path());
    } else if (std::filesystem::is_regular_file(p, ec)) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    entry(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%s: %zu inputs replayed\n", argv[1], files.size());
  return 0;
}
