// Runs the built `ceiling` binary for end-to-end tests.
#ifndef CEILING_TESTS_CLI_RUN_H_
#define CEILING_TESTS_CLI_RUN_H_

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace ceiling {

// Text reports wrap at 100 columns, so a phrase may continue on the next line: `part` is looked
// for in `text` with every run of spaces and newlines in both read as one space.
inline bool HasPhrase(const std::string& text, const std::string& part) {
  auto squeeze = [](const std::string& s) {
    std::string out;
    for (char c : s) {
      const bool space = c == ' ' || c == '\n';
      if (space && !out.empty() && out.back() == ' ') continue;
      out += space ? ' ' : c;
    }
    return out;
  };
  return squeeze(text).find(squeeze(part)) != std::string::npos;
}

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `ceiling ARGS` from the source directory; stdout and stderr are captured separately.
inline CliResult RunCeiling(const std::string& args) {
  static int counter = 0;
  const std::string err_file = ::testing::TempDir() + "ceiling-cli-err-" +
                               std::to_string(::getpid()) + "-" + std::to_string(counter++);
  const std::string cmd = std::string("cd ") + CEILING_SOURCE_DIR + " && " + CEILING_BINARY +
                          " " + args + " 2>" + err_file;
  CliResult r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  std::remove(err_file.c_str());
  return r;
}

}  // namespace ceiling

#endif  // CEILING_TESTS_CLI_RUN_H_
