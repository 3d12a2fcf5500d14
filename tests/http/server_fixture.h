// Starts `ceiling serve --port 0` as a child process for HTTP tests and stops it at the end.
#ifndef CEILING_TESTS_HTTP_SERVER_FIXTURE_H_
#define CEILING_TESTS_HTTP_SERVER_FIXTURE_H_

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace ceiling {

class ServerProcess {
 public:
  // Starts the server with `extra` arguments; returns false (with `error`) when it does not come up.
  bool Start(const std::vector<std::string>& extra = {}) {
    int out[2];
    if (::pipe(out) != 0) return Fail("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addchdir_np(&actions, CEILING_SOURCE_DIR);
    std::vector<std::string> args = {CEILING_BINARY, "serve", "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, CEILING_BINARY, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      return Fail(std::string("posix_spawn: ") + std::strerror(rc));
    }
    // "ceiling serve: listening on http://127.0.0.1:PORT/ ..."
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    const auto colon = line.rfind(':', line.find("/ ("));
    if (line.find("listening on") == std::string::npos || colon == std::string::npos)
      return Fail("the server did not start: " + line);
    port_ = std::atoi(line.c_str() + colon + 1);
    return port_ > 0 || Fail("no port in: " + line);
  }

  ~ServerProcess() { Stop(); }

  // SIGTERM, then wait; returns the exit status (0 for a clean stop).
  int Stop() {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return status_;
  }

  int port() const { return port_; }
  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string e) {
    error_ = std::move(e);
    return false;
  }
  pid_t pid_ = -1;
  int port_ = 0;
  int status_ = -1;
  std::string error_;
};

}  // namespace ceiling

#endif  // CEILING_TESTS_HTTP_SERVER_FIXTURE_H_
