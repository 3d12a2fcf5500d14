// classify, timeline, matrix, whatif, headroom, rules list/show/diff, plot map.
#include <fmt/format.h>

#include <filesystem>

#include "ceiling/api/operations.h"
#include "ceiling/api/rules_api.h"
#include "cli.h"

namespace ceiling::cli {

namespace {

// The common case: bind, run one api call, print text or JSON (or CSV).
template <class Request, class Fn>
Runner Simple(CLI::App* sub, FlagSpec spec, Fn fn, bool csv = false) {
  auto b = BindRequest<Request>(sub, std::move(spec));
  auto fmt = std::make_shared<std::pair<bool, bool>>();
  auto* json = sub->add_flag("--json", fmt->first, "JSON output");
  if (csv) sub->add_flag("--csv", fmt->second, "CSV output")->excludes(json);
  return [b, fmt, fn](Context& ctx) -> int {
    int exit = 0;
    auto kb = Prepare(ctx, *b, 0, &exit);
    if (!kb) return exit;
    auto r = fn(*kb, b->request);
    if (!r.ok()) return ctx.Fail(r.error());
    if (fmt->first) return ctx.Print(api::DumpJsonText(api::ToJson(*r)));
    if constexpr (requires { api::ToCsv(*r); }) {
      if (fmt->second) return ctx.Print(api::ToCsv(*r));
    }
    return ctx.Print(api::ToText(*r));
  };
}

}  // namespace

Runner SetupClassify(CLI::App* sub) {
  return Simple<api::ClassifyRequest>(
      sub, {.positional = {"chip"}, .rename = {{"owners", "--owner"}}},
      [](const api::KnowledgeBase& kb, api::ClassifyRequest r) { return api::Classify(kb, r); });
}

Runner SetupTimeline(CLI::App* sub) {
  return Simple<api::TimelineRequest>(
      sub, {.positional = {"chip"}, .rename = {{"owners", "--owner"}}},
      [](const api::KnowledgeBase& kb, api::TimelineRequest r) { return api::Timeline(kb, r); });
}

Runner SetupMatrix(CLI::App* sub) {
  return Simple<api::MatrixRequest>(
      sub, {.rename = {{"chips", "--chip"}}},
      [](const api::KnowledgeBase& kb, api::MatrixRequest r) { return api::Matrix(kb, r); },
      /*csv=*/true);
}

Runner SetupWhatIf(CLI::App* sub) {
  return Simple<api::WhatIfRequest>(
      sub, {}, [](const api::KnowledgeBase& kb, api::WhatIfRequest r) { return api::WhatIf(kb, r); });
}

Runner SetupHeadroom(CLI::App* sub) {
  return Simple<api::HeadroomRequest>(
      sub, {.positional = {"chip"}},
      [](const api::KnowledgeBase& kb, api::HeadroomRequest r) { return api::Headroom(kb, r); });
}

Runner SetupRules(CLI::App* sub) {
  sub->require_subcommand(1);
  auto selected = std::make_shared<Runner>();
  CLI::App* list = sub->add_subcommand("list", "Every rule version, in order of effect");
  CLI::App* show =
      sub->add_subcommand("show", "One rule version: dates, parameters, clauses, sources");
  CLI::App* diff = sub->add_subcommand(
      "diff", "What rule B changes relative to rule A, and which chips change status");
  CLI::App* status = sub->add_subcommand(
      "status", "Every rule version, measure, list and group with its last-checked date and the "
                "kinds of its sources");
  Runner rl = Simple<api::RulesListRequest>(
      list, {}, [](const api::KnowledgeBase& kb, api::RulesListRequest r) {
        return api::RulesList(kb, r);
      });
  Runner rs = Simple<api::RuleShowRequest>(
      show, {.positional = {"id"}},
      [](const api::KnowledgeBase& kb, api::RuleShowRequest r) { return api::RuleShow(kb, r); });
  Runner rd = Simple<api::RulesDiffRequest>(
      diff, {.positional = {"a", "b"}},
      [](const api::KnowledgeBase& kb, api::RulesDiffRequest r) { return api::RulesDiff(kb, r); });
  Runner rst = Simple<api::RulesStatusRequest>(
      status, {}, [](const api::KnowledgeBase& kb, api::RulesStatusRequest r) {
        return api::RulesStatus(kb, r);
      });
  status->callback([selected, rst] { *selected = rst; });
  list->callback([selected, rl] { *selected = rl; });
  show->callback([selected, rs] { *selected = rs; });
  diff->callback([selected, rd] { *selected = rd; });
  return [selected](Context& ctx) -> int { return *selected ? (*selected)(ctx) : kExitBadInput; };
}

Runner SetupPlot(CLI::App* sub) {
  sub->require_subcommand(1);
  CLI::App* map = sub->add_subcommand(
      "map",
      "TPP (log x) against PD (log y): threshold regions of the rules in force, chips by status; "
      "writes OUTPUT.svg and OUTPUT.json");
  auto b = BindRequest<api::ChipMapRequest>(map, {});
  auto output = std::make_shared<std::string>("map.svg");
  map->add_option("-o,--output", *output,
                  "SVG file to write (default map.svg); the data goes to the same name with .json");
  return [b, output](Context& ctx) -> int {
    ctx.flag_of = b->binder->flag_of();
    ctx.flag_of["output"] = "-o";
    namespace fs = std::filesystem;
    const fs::path svg_path(*output);
    if (output->empty() || *output == "-" || svg_path.extension() != ".svg")
      return ctx.Fail(FieldError(
          "output", fmt::format("expected a file name ending in .svg (the JSON is written beside "
                                "it), got \"{}\"",
                                *output)));
    int exit = 0;
    auto kb = Prepare(ctx, *b, 0, &exit);
    if (!kb) return exit;
    auto r = api::ChipMap(*kb, b->request);
    if (!r.ok()) return ctx.Fail(r.error());
    fs::path json_path = svg_path;
    json_path.replace_extension(".json");
    if (auto st = WriteOutputs({{svg_path.string(), api::ToSvg(*r)},
                                {json_path.string(), api::DumpJsonText(api::ToJson(*r))}},
                               ctx.out);
        !st.ok())
      return ctx.Fail(st.error());
    return ctx.Print(fmt::format("wrote {} and {} ({} chips plotted, {} without TPP or PD)\n",
                                 svg_path.string(), json_path.string(), r->map.points.size(),
                                 r->map.unplotted.size()));
  };
}

}  // namespace ceiling::cli
