// The `ceiling` command line: one table of subcommands, each a thin adapter over the api module:
// parse the flags into the operation's request, make one api call, render the response.
//
// Flags come from the request's field table (api/fields.h): field `sla_tpot` is `--sla-tpot`,
// a boolean that defaults to true is turned off with `--no-<name>`, a chip (Ref) accepts a catalog
// id or the path of a chip file (read here, passed on as text), a Text field takes a file path.
// A command may rename a field's flag (`chips` -> `--chip`) or make it positional (`CHIP`).
// Errors name the flag: the library says field "tp", the CLI prints `--tp: ...`.
//
// Exit codes: 0 success, 1 a check failed (check-data found problems), 2 bad input (a one-line
// diagnostic on stderr, nothing on stdout, no output file written).
#ifndef CEILING_APPS_CEILING_CLI_H_
#define CEILING_APPS_CEILING_CLI_H_

#include <CLI/CLI.hpp>
#include <deque>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ceiling/api/fields.h"
#include "ceiling/api/knowledge_base.h"
#include "ceiling/base/result.h"

namespace ceiling::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInternal = 3;

// What every command runs with: where the data is, the streams, the knowledge base on demand.
class Context {
 public:
  Context(std::ostream& out_stream, std::ostream& err_stream) : out(out_stream), err(err_stream) {}

  std::string data_dir;
  std::ostream& out;
  std::ostream& err;

  // Loads the knowledge base with `parts` (api::Part) on first call.
  Result<std::shared_ptr<const api::KnowledgeBase>> Kb(unsigned parts);
  // Prints a one-line diagnostic (the field as its flag; a caret line for parse errors); returns 2.
  int Fail(const Error& e) const;
  // Writes `content` to stdout, checking that the write succeeded (a full disk, a closed pipe).
  int Print(const std::string& content) const;

  // How the current command shows each field (set by the binder).
  std::map<std::string, std::string> flag_of;

 private:
  std::shared_ptr<const api::KnowledgeBase> kb_;
};

// Writes files atomically, all or nothing: every file is written to a temporary beside it first;
// only when all succeeded are they renamed into place ("-" is standard output, written last).
// `told`, when given, gets one "wrote PATH (N bytes)" line per file written.
Status WriteOutputs(const std::vector<std::pair<std::string, std::string>>& files,
                    std::ostream& out, std::ostream* told = nullptr);
// What WriteOutputs would refuse, checked before the work that makes the content: the target is a
// directory or not a regular file, or its folder does not exist. "" and "-" pass.
Status CheckOutputPath(const std::string& path);

// Refuses an empty value given on purpose (`--dump "$FILE"` with FILE unset): an option left out
// keeps its default; one given empty is a mistake to point at, not a silent "no file".
CLI::Validator NonEmpty();

// How a command shows its fields on the command line.
struct FlagSpec {
  std::vector<std::string> positional{};        // fields taken as positional arguments, in order
  std::map<std::string, std::string> rename{};  // field -> flag ("chips" -> "--chip")
  std::vector<std::string> hidden{};            // fields not offered on this command
};

// Declares the flags of `request`'s fields on `sub`. Returns the function to call after parsing:
// it reads the files named by chip/model/rule/design arguments into the request.
class Binder {
 public:
  Binder(CLI::App* sub, FlagSpec spec) : sub_(sub), spec_(std::move(spec)) {}

  template <class Request>
  void Bind(Request& request) {
    request.Visit(*this);
  }
  // After parsing: file arguments to text. Errors name the flag.
  Status Finish();
  const std::map<std::string, std::string>& flag_of() const { return flag_of_; }

  void operator()(const api::Field& f, std::string& v);
  void operator()(const api::Field& f, bool& v);
  void operator()(const api::Field& f, int& v);
  void operator()(const api::Field& f, std::int64_t& v);
  void operator()(const api::Field& f, double& v);
  void operator()(const api::Field& f, std::optional<int>& v);
  void operator()(const api::Field& f, std::optional<double>& v);
  void operator()(const api::Field& f, std::vector<std::string>& v);
  void operator()(const api::Field& f, api::Ref& v);
  void operator()(const api::Field& f, std::vector<api::Ref>& v);
  void operator()(const api::Field& f, std::optional<api::Text>& v);
  void operator()(const api::Field& f, std::vector<api::Text>& v);

 private:
  bool Hidden(const api::Field& f) const;
  // The option name(s) for CLI11 ("--sla-tpot" or "CHIP") and records how errors show the field.
  std::string Name(const api::Field& f);
  std::string Help(const api::Field& f) const;
  template <class T>
  CLI::Option* Add(const api::Field& f, T& v);

  CLI::App* sub_;
  FlagSpec spec_;
  std::map<std::string, std::string> flag_of_;
  std::deque<std::string> strings_;  // storage for Ref/Text arguments
  std::deque<std::vector<std::string>> lists_;
  std::vector<std::function<Status()>> finish_;
};

using Runner = std::function<int(Context&)>;

struct Command {
  const char* name;
  const char* help;
  // Declares the subcommand's options on `sub` and returns the function that runs it.
  std::function<Runner(CLI::App* sub)> setup;
};

// The table of subcommands, in help order.
const std::vector<Command>& Commands();

Runner SetupChips(CLI::App* sub);
Runner SetupShow(CLI::App* sub);
Runner SetupCheckData(CLI::App* sub);
Runner SetupIndex(CLI::App* sub);
Runner SetupClassify(CLI::App* sub);
Runner SetupTimeline(CLI::App* sub);
Runner SetupMatrix(CLI::App* sub);
Runner SetupRules(CLI::App* sub);
Runner SetupWhatIf(CLI::App* sub);
Runner SetupHeadroom(CLI::App* sub);
Runner SetupPlot(CLI::App* sub);
Runner SetupPerf(CLI::App* sub);
Runner SetupCompare(CLI::App* sub);
Runner SetupValidate(CLI::App* sub);
Runner SetupCalibrate(CLI::App* sub);
Runner SetupDesign(CLI::App* sub);
Runner SetupCapability(CLI::App* sub);
Runner SetupServe(CLI::App* sub);
Runner SetupFleet(CLI::App* sub);
Runner SetupReport(CLI::App* sub);

// The common shape of a command: bind `Request`'s fields, then run `body` with the knowledge base
// (loaded with `parts`) and the request. `Request` lives as long as the runner.
template <class Request>
struct Bound {
  Request request;
  std::shared_ptr<Binder> binder;
};

template <class Request>
std::shared_ptr<Bound<Request>> BindRequest(CLI::App* sub, FlagSpec spec) {
  auto b = std::make_shared<Bound<Request>>();
  b->binder = std::make_shared<Binder>(sub, std::move(spec));
  b->binder->Bind(b->request);
  return b;
}

// Finishes the binding (file arguments), loads the knowledge base; on failure prints and returns
// nullptr with *exit set.
template <class Request>
std::shared_ptr<const api::KnowledgeBase> Prepare(Context& ctx, Bound<Request>& b, unsigned parts,
                                                  int* exit) {
  ctx.flag_of = b.binder->flag_of();
  if (auto st = b.binder->Finish(); !st.ok()) {
    *exit = ctx.Fail(st.error());
    return nullptr;
  }
  auto kb = ctx.Kb(parts);
  if (!kb.ok()) {
    *exit = ctx.Fail(kb.error());
    return nullptr;
  }
  return *kb;
}

}  // namespace ceiling::cli

#endif  // CEILING_APPS_CEILING_CLI_H_
