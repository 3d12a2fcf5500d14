// rules list/show/diff and plot map.
#include <fmt/format.h>

#include <filesystem>

#include "ceiling/report/json.h"
#include "rule_options.h"

namespace ceiling::cli {

Runner SetupRules(CLI::App* sub) {
  struct Opts {
    std::string show_id, diff_a, diff_b;
    bool json = false;
    RuleOptions r;
  };
  auto o = std::make_shared<Opts>();
  sub->require_subcommand(1);
  CLI::App* list = sub->add_subcommand("list", "Every rule version, in order of effect");
  list->add_flag("--json", o->json, "JSON output");
  AddRuleOptions(list, &o->r, false, nullptr);
  CLI::App* show = sub->add_subcommand("show", "One rule version: dates, parameters, clauses, sources");
  show->add_option("ID", o->show_id, "Rule id (see rules list)")->required();
  show->add_flag("--json", o->json, "JSON output");
  AddRuleOptions(show, &o->r, false, nullptr);
  CLI::App* status = sub->add_subcommand(
      "status",
      "When each rule version, measure, Entity List notice, import measure and country "
      "group was last checked, and the kinds of its sources");
  status->add_flag("--json", o->json, "JSON output");
  CLI::App* diff = sub->add_subcommand("diff", "What rule B changes relative to rule A, and which chips change status");
  diff->add_option("A", o->diff_a, "Earlier rule id")->required();
  diff->add_option("B", o->diff_b, "Later rule id")->required();
  diff->add_flag("--json", o->json, "JSON output");
  AddRuleOptions(diff, &o->r, true, "CN");

  return [o, list, show, status, diff](Context& ctx) -> int {
    auto book = BookFor(ctx, o->r);
    if (!book.ok()) return ctx.Fail(book.error());
    if (status->parsed()) {
      const auto rows = rules::RulesStatus(*book);
      if (o->json)
        ctx.out << report::DumpJson(report::RulesStatusJson(rows)) << "\n";
      else
        ctx.out << report::RulesStatusText(rows);
      return kExitOk;
    }
    if (list->parsed()) {
      if (o->json)
        ctx.out << report::DumpJson(report::RuleListJson(*book)) << "\n";
      else
        ctx.out << report::RuleListText(*book);
      return kExitOk;
    }
    if (show->parsed()) {
      auto r = book->ResolveRule(o->show_id);
      if (!r.ok()) return ctx.Fail(r.error());
      if (o->json)
        ctx.out << report::DumpJson(report::RuleJson(*book, **r)) << "\n";
      else
        ctx.out << report::RuleText(*book, **r);
      return kExitOk;
    }
    if (diff->parsed()) {
      auto a = book->ResolveRule(o->diff_a);
      if (!a.ok()) return ctx.Fail(a.error());
      auto b = book->ResolveRule(o->diff_b);
      if (!b.ok()) return ctx.Fail(b.error());
      if (!o->r.date.empty())
        return ctx.Fail(MakeError(ErrorCode::kInvalidArgument,
                                  "rules diff dates each rule at its own effect; --date is not "
                                  "used here"));
      auto q = QueryFor(*book, o->r, (*a)->effective, "CN");
      if (!q.ok()) return ctx.Fail(q.error());
      auto chips = CatalogChips(ctx);
      if (!chips.ok()) return ctx.Fail(chips.error());
      const auto changes = rules::CompareRules(*book, **a, **b, *chips, *q);
      if (o->json) {
        const rules::MatrixColumn ca = rules::ColumnFor(*book, **a);
        const rules::MatrixColumn cb = rules::ColumnFor(*book, **b);
        nlohmann::json j = {
            {"a", {{"rule", (*a)->id}, {"date", ca.date.ToString()}, {"view", rules::ViewName(ca.view)}}},
            {"b", {{"rule", (*b)->id}, {"date", cb.date.ToString()}, {"view", rules::ViewName(cb.view)}}},
            {"destination", book->countries().country(q->destination).code},
            {"headquarters", book->countries().country(q->headquarters).code},
            {"chips", chips->size()},
            {"changes", report::ChangesJson(*chips, changes)}};
        ctx.out << report::DumpJson(j) << "\n";
      } else {
        ctx.out << report::RuleDiffText(*book, **a, **b, *chips, *q, changes);
      }
      return kExitOk;
    }
    return kExitBadInput;
  };
}

Runner SetupPlot(CLI::App* sub) {
  struct Opts {
    std::string output = "map.svg";
    RuleOptions r;
  };
  auto o = std::make_shared<Opts>();
  sub->require_subcommand(1);
  CLI::App* map = sub->add_subcommand(
      "map", "TPP (log x) against PD (log y): threshold regions of the rules in force, chips by "
             "status; writes OUTPUT.svg and OUTPUT.json");
  AddRuleOptions(map, &o->r, true, "CN", "the latest date on which a rule or group changes");
  map->add_option("-o,--output", o->output, "SVG file to write (default map.svg); the data goes "
                                            "to the same name with .json");
  return [o, map](Context& ctx) -> int {
    if (!map->parsed()) return kExitBadInput;
    auto book = BookFor(ctx, o->r);
    if (!book.ok()) return ctx.Fail(book.error());
    auto q = QueryFor(*book, o->r, LatestDate(*book), "CN");
    if (!q.ok()) return ctx.Fail(q.error());
    auto chips = CatalogChips(ctx);
    if (!chips.ok()) return ctx.Fail(chips.error());
    if (o->output.empty() || o->output == "-")
      return ctx.Fail(MakeError(ErrorCode::kInvalidArgument,
                                "-o: give a file name ending in .svg (the JSON is written beside it)"));
    std::filesystem::path svg_path(o->output);
    if (svg_path.extension() != ".svg")
      return ctx.Fail(MakeError(ErrorCode::kInvalidArgument,
                                fmt::format("-o: expected a file name ending in .svg, got \"{}\"",
                                            o->output)));
    std::filesystem::path json_path = svg_path;
    json_path.replace_extension(".json");
    const rules::MapData data = rules::BuildMap(*book, *chips, *q);
    const std::string svg = report::ChipMapSvg(*book, *chips, data);
    const std::string json = report::DumpJson(report::ChipMapJson(*book, *chips, data)) + "\n";
    Status s = WriteOutput(svg_path.string(), svg, ctx.out);
    if (!s.ok()) return ctx.Fail(s.error());
    s = WriteOutput(json_path.string(), json, ctx.out);
    if (!s.ok()) return ctx.Fail(s.error());
    ctx.out << fmt::format("wrote {} and {} ({} chips plotted, {} without TPP or PD)\n",
                           svg_path.string(), json_path.string(), data.points.size(),
                           data.unplotted.size());
    return kExitOk;
  };
}

}  // namespace ceiling::cli
