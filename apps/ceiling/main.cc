// `ceiling`: export-control classification and performance of AI accelerators.
#include <cstdlib>
#include <iostream>

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

int Main(int argc, char** argv) {
  CLI::App app{"ceiling: may this AI chip go there, and what can it do there?", "ceiling"};
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
  if (width != 0 && (width < 40 || width > 10000)) {
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
