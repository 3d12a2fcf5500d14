// `ceiling`: export-control classification and performance of AI accelerators.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "ceiling/report/table.h"
#include "cli.h"

namespace ceiling::cli {

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"chips", "List the chip catalog with export-control metrics", SetupChips},
      {"show", "Show one chip: record, metrics with derivations, sources", SetupShow},
      {"check-data", "Validate the knowledge base (exit 1 on any finding)", SetupCheckData},
      {"index", "What the knowledge base holds: rule-change dates, destinations, models, designs",
       SetupIndex},
      {"classify", "May this chip go there? Controls, license, exceptions, review, trace",
       SetupClassify},
      {"timeline", "Every date on which a chip's export status changes, with the reason",
       SetupTimeline},
      {"matrix", "Chips x rule versions: how each rule moved each chip", SetupMatrix},
      {"rules", "Rule versions: list, show one, diff two", SetupRules},
      {"whatif", "Chips whose status changes under overridden parameters or an added rule",
       SetupWhatIf},
      {"headroom", "A chip's metrics against every threshold of the rules in force",
       SetupHeadroom},
      {"plot", "Charts: plot map (TPP vs PD with threshold regions)", SetupPlot},
      {"perf", "Performance model: perf serve (LLM serving), perf train (training)", SetupPerf},
      {"compare", "The same serving workload on several chips, with ratios to the first",
       SetupCompare},
      {"validate", "Error tables of the performance model against published measurements",
       SetupValidate},
      {"calibrate", "Fit the performance model's per-family efficiencies (data/perf)",
       SetupCalibrate},
      {"design", "The best derivative of a die that a rule still lets through (Pareto front)",
       SetupDesign},
      {"capability", "Per die, the best compliant derivative: the capability a rule leaves open",
       SetupCapability},
      {"fleet", "What shipments add up to: H100-equivalents, licenses, revenue shares, what-if",
       SetupFleet},
      {"report", "A chip's dossier: one self-contained HTML file (-o FILE.html)", SetupReport},
      {"serve", "The HTTP JSON API (and the web app) on 127.0.0.1:8080", SetupServe},
  };
  return kCommands;
}

namespace {

// Help text that fits the terminal: CLI11 (2.1) prints each description on one line after a
// 30-column name, so a long one ran to 200 columns. Descriptions are broken at spaces to the
// width left after the name column (CLI11 indents the lines after a newline to that column).
class WrappingFormatter : public CLI::Formatter {
 public:
  // Below 80 columns the name column narrows to a third of the width (a longer name puts its
  // description on the next line), so the descriptions keep room to be read.
  explicit WrappingFormatter(std::size_t width) : width_(width) {
    if (width_ != 0 && width_ < 80) column_width(std::max<std::size_t>(12, width_ / 3));
  }

  std::string make_option_desc(const CLI::Option* opt) const override {
    return Wrap(CLI::Formatter::make_option_desc(opt), get_column_width());
  }
  std::string make_subcommand(const CLI::App* sub) const override {
    std::stringstream out;
    CLI::detail::format_help(out, sub->get_display_name(true),
                             Wrap(sub->get_description(), get_column_width()),
                             get_column_width());
    return out.str();
  }
  std::string make_description(const CLI::App* app) const override {
    return Wrap(CLI::Formatter::make_description(app), 0);
  }
  // --help-all indents each subcommand's whole help by two columns per level of nesting.
  std::string make_expanded(const CLI::App* sub) const override {
    std::size_t depth = 0;
    for (const CLI::App* a = sub->get_parent(); a != nullptr; a = a->get_parent()) ++depth;
    const std::size_t saved = nested_;
    nested_ = 2 * depth;
    std::string out = CLI::Formatter::make_expanded(sub);
    nested_ = saved;
    return out;
  }

 private:
  // `text` broken into lines of at most width_ - indent columns, newline-separated, no final
  // newline; unchanged when there is no width (--width 0) or too little of it to help.
  std::string Wrap(const std::string& text, std::size_t indent) const {
    indent += nested_;
    if (width_ == 0 || width_ < indent + 20) return text;
    std::string out;
    std::istringstream lines(text);
    std::string line;
    bool first = true;
    while (std::getline(lines, line)) {
      if (!first) out += '\n';
      first = false;
      std::string wrapped = report::WrapText(line, width_ - indent, 0);
      if (!wrapped.empty() && wrapped.back() == '\n') wrapped.pop_back();
      out += wrapped;
    }
    if (!text.empty() && text.back() == '\n') out += '\n';
    return out;
  }

  std::size_t width_;
  mutable std::size_t nested_ = 0;  // columns --help-all indents the help being made
};

// --width: 0 (no limit) or 40 to 10000 columns.
bool WidthAllowed(long long w) { return w == 0 || (w >= 40 && w <= 10000); }

// The --width a command line gives, read before parsing so that --help fits it too; the
// default where it gives none or one that parsing will refuse.
std::size_t HelpWidth(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i], value;
    if (a == "--width" && i + 1 < argc)
      value = argv[i + 1];
    else if (a.rfind("--width=", 0) == 0)
      value = a.substr(8);
    else
      continue;
    try {
      std::size_t used = 0;
      const long long w = std::stoll(value, &used);
      if (used == value.size() && WidthAllowed(w)) return static_cast<std::size_t>(w);
    } catch (const std::exception&) {
    }
    break;
  }
  return report::kTextWidth;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"ceiling: may this AI chip go there, and what can it do there?", "ceiling"};
  app.formatter(std::make_shared<WrappingFormatter>(HelpWidth(argc, argv)));
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every subcommand");
  Context ctx(std::cout, std::cerr);
  const char* env = std::getenv("CEILING_DATA");
  ctx.data_dir = env != nullptr && *env != '\0' ? env : CEILING_DATA_DIR;
  app.add_option("--data", ctx.data_dir, "Knowledge base directory (default: bundled data)")
      ->check(NonEmpty());
  long long width = static_cast<long long>(report::kTextWidth);
  app.add_option("--width", width,
                 "Columns the text output fits (default 100; 0: no limit)");

  Runner selected;
  for (const Command& c : Commands()) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    Runner run = c.setup(sub);
    sub->callback([&selected, run] { selected = run; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RequiredError& e) {
    // An unknown subcommand also lands here ("A subcommand is required"): say which.
    if (app.get_subcommands().empty() && argc > 1) {
      for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--data" || a == "--width") {
          ++i;
          continue;
        }
        if (a.rfind('-', 0) == 0) continue;
        std::cerr << "ceiling: unknown command \"" << a << "\" (see ceiling --help)\n";
        return kExitBadInput;
      }
    }
    std::cerr << "ceiling: " << e.what() << " (see ceiling --help)\n";
    return kExitBadInput;
  } catch (const CLI::ParseError& e) {
    std::cerr << "ceiling: " << e.what() << " (see ceiling --help)\n";
    return kExitBadInput;
  }
  if (!WidthAllowed(width)) {
    std::cerr << "ceiling: --width: " << width
              << " is out of range; give 0 (no limit) or 40 to 10000 columns\n";
    return kExitBadInput;
  }
  report::SetTextWidth(static_cast<std::size_t>(width));
  if (!selected) return kExitBadInput;
  return selected(ctx);
}

}  // namespace ceiling::cli

int main(int argc, char** argv) {
  // A bug (an exception no command expected) ends with one line and exit 3, not an abort and a
  // core dump; output files are written only after their content is complete.
  try {
    return ceiling::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ceiling: internal error (a bug in ceiling; please report the command): "
              << e.what() << "\n";
    return ceiling::cli::kExitInternal;
  }
}
