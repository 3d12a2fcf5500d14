// The `ceiling` command line: one table of subcommands (see Commands()), each a thin adapter
// that parses options, calls the library and renders the result.
//
// Exit codes: 0 success, 1 a check failed (e.g. check-data found problems), 2 bad input (a
// one-line diagnostic on stderr, nothing written to the output file).
#ifndef CEILING_APPS_CEILING_COMMANDS_H_
#define CEILING_APPS_CEILING_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ceiling/base/result.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/rules/rulebook.h"

namespace ceiling::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitBadInput = 2;

// State shared by commands: where the data is, and the database loaded on first use.
class Context {
 public:
  Context(std::ostream& out_stream, std::ostream& err_stream) : out(out_stream), err(err_stream) {}

  std::string data_dir;
  std::ostream& out;
  std::ostream& err;

  // Loads data/chips on first call.
  Result<const catalog::Catalog*> Catalog();
  // Loads data/countries and data/rules on first call.
  Result<const rules::RuleBook*> Rules();
  // Prints a one-line diagnostic (plus the source line and a caret under the column for parse
  // errors that carry it); returns 2.
  int Fail(const Error& e) const;

 private:
  std::optional<catalog::Catalog> catalog_;
  std::optional<rules::RuleBook> rules_;
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

// Registration functions, one per subcommand (defined in cmd_*.cc).
Runner SetupChips(CLI::App* sub);
Runner SetupShow(CLI::App* sub);
Runner SetupCheckData(CLI::App* sub);
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
Runner SetupFleet(CLI::App* sub);

// Writes `content` to `path` atomically (temp file + rename) so that a failure never leaves a
// half-written file. "-" means standard output.
Status WriteOutput(const std::string& path, const std::string& content, std::ostream& out);

}  // namespace ceiling::cli

#endif  // CEILING_APPS_CEILING_COMMANDS_H_
