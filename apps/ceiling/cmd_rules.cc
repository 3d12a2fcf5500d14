// classify, timeline, matrix, whatif, headroom: thin adapters over ceiling::rules.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "ceiling/report/json.h"
#include "rule_options.h"

namespace ceiling::cli {

void AddRuleOptions(CLI::App* sub, RuleOptions* o, bool with_where, const char* default_to,
                    const char* default_date) {
  if (with_where) {
    sub->add_option("--date", o->date,
                    default_date == nullptr
                        ? std::string("Date, YYYY-MM-DD")
                        : fmt::format("Date, YYYY-MM-DD (default: {})", default_date));
    sub->add_option("--to", o->to,
                    default_to == nullptr
                        ? std::string("Destination, ISO 3166 alpha-2 code (e.g. CN)")
                        : fmt::format("Destination, ISO 3166 alpha-2 code (default {})", default_to));
    sub->add_option("--hq", o->hq,
                    "Country of the end user's headquarters or ultimate parent (default: the "
                    "destination)");
  }
  sub->add_option("--view", o->view,
                  "enforced (what BIS enforces; default) or text (every rule whose text is in "
                  "force, e.g. the AI Diffusion rule)")
      ->check(CLI::IsMember({"enforced", "text"}));
  sub->add_option("--set", o->sets,
                  "Override a rule parameter: NAME=VALUE or RULE.NAME=VALUE (repeatable), e.g. "
                  "tpp_a=4000, dram_bw_cbc=\"7 TB/s\"");
  sub->add_option("--rules", o->rule_files, "Add a rule version from a TOML file (repeatable)");
}

Result<rules::RuleBook> BookFor(Context& ctx, const RuleOptions& o) {
  ASSIGN_OR_RETURN(const rules::RuleBook* base, ctx.Rules());
  rules::RuleBook book = *base;
  for (const std::string& f : o.rule_files) {
    ASSIGN_OR_RETURN(book, book.WithRuleFile(f));
  }
  for (const std::string& s : o.sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("--set: expected NAME=VALUE, got \"{}\"", s));
    ASSIGN_OR_RETURN(book, book.WithParameter(s.substr(0, eq), s.substr(eq + 1)));
  }
  return book;
}

Date LatestDate(const rules::RuleBook& book) {
  Date d = book.first_rule_date();
  for (Date c : book.change_dates()) d = std::max(d, c);
  return d;
}

Result<rules::Query> QueryFor(const rules::RuleBook& book, const RuleOptions& o,
                              std::optional<Date> default_date, const char* default_to) {
  Date date;
  if (!o.date.empty()) {
    auto d = ParseDate(o.date);
    if (!d.ok())
      return MakeError(ErrorCode::kInvalidArgument, "--date: " + d.error().message);
    date = *d;
  } else if (default_date) {
    date = *default_date;
  } else {
    return MakeError(ErrorCode::kInvalidArgument, "--date is required (YYYY-MM-DD)");
  }
  std::string to = o.to;
  if (to.empty()) {
    if (default_to == nullptr)
      return MakeError(ErrorCode::kInvalidArgument,
                       "--to is required (an ISO 3166 alpha-2 code such as CN)");
    to = default_to;
  }
  auto dest = book.countries().Resolve(to);
  if (!dest.ok()) return MakeError(ErrorCode::kInvalidArgument, "--to: " + dest.error().message);
  auto q = rules::MakeQuery(book, date, to, "",
                            o.view == "text" ? rules::View::kText : rules::View::kEnforced);
  if (!q.ok()) return q.error();
  if (!o.hq.empty()) {
    auto hq = book.countries().Resolve(o.hq);
    if (!hq.ok()) return MakeError(ErrorCode::kInvalidArgument, "--hq: " + hq.error().message);
    q->headquarters = *hq;
    q->headquarters_given = true;
  }
  return q;
}

void AddEndUserOptions(CLI::App* sub, EndUserOptions* o) {
  sub->add_option("--end-user", o->end_user,
                  "End user's name: screened against the bundled Entity List entries (and "
                  "--screening-list), fuzzy, with the score shown");
  sub->add_option("--owner", o->owners,
                  "An owner of the end user: NAME, NAME=60% or NAME=60%>OWNED (owns 60% of "
                  "OWNED, another owner); repeatable, for the Affiliates (50 percent) rule");
  sub->add_option("--screening-list", o->screening_list,
                  "A screening list in the Consolidated Screening List format (CSV or JSON file)");
}

Status ApplyEndUser(EndUserOptions* o, rules::Query* q) {
  if (o->end_user.empty() && (!o->owners.empty() || !o->screening_list.empty()))
    return MakeError(ErrorCode::kInvalidArgument,
                     "--owner and --screening-list need --end-user NAME (the party screened)");
  q->end_user = o->end_user;
  auto owners = rules::ParseOwners(o->owners, o->end_user);
  if (!owners.ok())
    return MakeError(ErrorCode::kInvalidArgument, "--owner " + owners.error().message);
  q->owners = std::move(owners).value();
  if (!o->screening_list.empty()) {
    std::ifstream in(o->screening_list, std::ios::binary);
    if (!in)
      return MakeError(ErrorCode::kIo,
                       fmt::format("--screening-list {}: cannot read the file", o->screening_list));
    std::stringstream ss;
    ss << in.rdbuf();
    auto list = rules::ScreeningList::Parse(ss.str(), o->screening_list);
    if (!list.ok()) return list.error();
    o->list = std::move(list).value();
    q->screening = &*o->list;
  }
  return OkStatus();
}

Result<ResolvedChip> ResolveChip(Context& ctx, const std::string& id_or_path) {
  ASSIGN_OR_RETURN(const catalog::Catalog* cat, ctx.Catalog());
  ASSIGN_OR_RETURN(const catalog::Chip* chip, cat->Resolve(id_or_path));
  ResolvedChip out;
  out.label = {chip->id, chip->name};
  out.facts = rules::FactsOf(*chip, catalog::ComputeMetrics(*chip));
  return out;
}

Result<std::vector<rules::ChipEntry>> CatalogChips(Context& ctx,
                                                   const std::vector<std::string>& only) {
  ASSIGN_OR_RETURN(const catalog::Catalog* cat, ctx.Catalog());
  std::vector<rules::ChipEntry> out;
  for (const std::string& id : only)
    if (cat->Find(id) == nullptr) {
      auto r = cat->Resolve(id);
      if (!r.ok()) return r.error();
    }
  for (std::size_t i = 0; i < cat->chips().size(); ++i) {
    const catalog::Chip& c = cat->chips()[i];
    if (!only.empty() && std::find(only.begin(), only.end(), c.id) == only.end()) continue;
    out.push_back({c.id, c.name, rules::FactsOf(c, cat->metrics(i))});
  }
  std::sort(out.begin(), out.end(),
            [](const rules::ChipEntry& a, const rules::ChipEntry& b) { return a.id < b.id; });
  return out;
}

Runner SetupClassify(CLI::App* sub) {
  struct Opts {
    std::string chip;
    bool json = false, no_trace = false;
    RuleOptions r;
    EndUserOptions e;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("CHIP", o->chip, "Catalog id (e.g. nvidia-h20) or path to a chip file")
      ->required();
  AddRuleOptions(sub, &o->r, true, nullptr);
  AddEndUserOptions(sub, &o->e);
  sub->add_flag("--json", o->json, "JSON output");
  sub->add_flag("--no-trace", o->no_trace, "Leave the clause-by-clause trace out");
  return [o](Context& ctx) -> int {
    auto book = BookFor(ctx, o->r);
    if (!book.ok()) return ctx.Fail(book.error());
    auto q = QueryFor(*book, o->r, std::nullopt, nullptr);
    if (!q.ok()) return ctx.Fail(q.error());
    auto chip = ResolveChip(ctx, o->chip);
    if (!chip.ok()) return ctx.Fail(chip.error());
    q->trace = !o->no_trace;
    if (Status s = ApplyEndUser(&o->e, &*q); !s.ok()) return ctx.Fail(s.error());
    const rules::Classification c = rules::Classify(*book, chip->facts, *q);
    if (o->json)
      ctx.out << report::DumpJson(report::ClassificationJson(*book, chip->label, chip->facts, c))
              << "\n";
    else
      ctx.out << report::ClassificationText(*book, chip->label, chip->facts, c);
    return kExitOk;
  };
}

Runner SetupTimeline(CLI::App* sub) {
  struct Opts {
    std::string chip;
    bool json = false;
    RuleOptions r;
    EndUserOptions e;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("CHIP", o->chip, "Catalog id or path to a chip file")->required();
  AddRuleOptions(sub, &o->r, true, "CN");
  AddEndUserOptions(sub, &o->e);
  sub->add_flag("--json", o->json, "JSON output");
  return [o](Context& ctx) -> int {
    auto book = BookFor(ctx, o->r);
    if (!book.ok()) return ctx.Fail(book.error());
    if (!o->r.date.empty())
      return ctx.Fail(MakeError(ErrorCode::kInvalidArgument,
                                "timeline covers every date; --date is not used here"));
    auto q = QueryFor(*book, o->r, book->first_rule_date(), "CN");
    if (!q.ok()) return ctx.Fail(q.error());
    if (Status s = ApplyEndUser(&o->e, &*q); !s.ok()) return ctx.Fail(s.error());
    auto chip = ResolveChip(ctx, o->chip);
    if (!chip.ok()) return ctx.Fail(chip.error());
    const auto t = rules::Timeline(*book, chip->facts, *q);
    const auto imports =
        rules::ImportTimeline(book->imports(), chip->facts, q->destination, q->end_user);
    if (o->json)
      ctx.out << report::DumpJson(report::TimelineJson(*book, chip->label, *q, t, imports)) << "\n";
    else
      ctx.out << report::TimelineText(*book, chip->label, *q, t, imports);
    return kExitOk;
  };
}

Runner SetupMatrix(CLI::App* sub) {
  struct Opts {
    bool json = false, csv = false;
    std::vector<std::string> chips;
    RuleOptions r;
  };
  auto o = std::make_shared<Opts>();
  AddRuleOptions(sub, &o->r, true, "CN");
  sub->get_option("--date")->group("");  // hidden: each column is dated at its own rule
  sub->add_option("--chip", o->chips, "Only these catalog ids (repeatable)");
  auto* json = sub->add_flag("--json", o->json, "JSON output");
  sub->add_flag("--csv", o->csv, "CSV output")->excludes(json);
  return [o](Context& ctx) -> int {
    auto book = BookFor(ctx, o->r);
    if (!book.ok()) return ctx.Fail(book.error());
    if (!o->r.date.empty())
      return ctx.Fail(MakeError(ErrorCode::kInvalidArgument,
                                "matrix dates each column at its rule; --date is not used here"));
    auto q = QueryFor(*book, o->r, book->first_rule_date(), "CN");
    if (!q.ok()) return ctx.Fail(q.error());
    auto chips = CatalogChips(ctx, o->chips);
    if (!chips.ok()) return ctx.Fail(chips.error());
    const rules::Matrix m = rules::MigrationMatrix(*book, *chips, *q);
    if (o->json)
      ctx.out << report::DumpJson(report::MatrixJson(*book, *chips, *q, m)) << "\n";
    else if (o->csv)
      ctx.out << report::MatrixCsv(*chips, m);
    else
      ctx.out << report::MatrixText(*book, *chips, *q, m);
    return kExitOk;
  };
}

Runner SetupWhatIf(CLI::App* sub) {
  struct Opts {
    bool json = false;
    RuleOptions r;
  };
  auto o = std::make_shared<Opts>();
  AddRuleOptions(sub, &o->r, true, "CN", "the latest date on which a rule or group changes");
  sub->add_flag("--json", o->json, "JSON output");
  return [o](Context& ctx) -> int {
    if (o->r.sets.empty() && o->r.rule_files.empty())
      return ctx.Fail(MakeError(ErrorCode::kInvalidArgument,
                                "whatif needs at least one --set NAME=VALUE or --rules FILE"));
    auto base = ctx.Rules();
    if (!base.ok()) return ctx.Fail(base.error());
    auto book = BookFor(ctx, o->r);
    if (!book.ok()) return ctx.Fail(book.error());
    auto q = QueryFor(*book, o->r, LatestDate(*book), "CN");
    if (!q.ok()) return ctx.Fail(q.error());
    auto chips = CatalogChips(ctx);
    if (!chips.ok()) return ctx.Fail(chips.error());
    const auto changes = rules::CompareBooks(**base, *book, *chips, *q);
    std::vector<std::string> settings;
    for (const std::string& s : o->r.sets) settings.push_back(s);
    for (const std::string& f : o->r.rule_files) settings.push_back("rule file " + f + " is added");
    if (o->json) {
      nlohmann::json j = {{"settings", settings},
                          {"date", q->date.ToString()},
                          {"destination", book->countries().country(q->destination).code},
                          {"headquarters", book->countries().country(q->headquarters).code},
                          {"view", rules::ViewName(q->view)},
                          {"chips", chips->size()},
                          {"changes", report::ChangesJson(*chips, changes)}};
      ctx.out << report::DumpJson(j) << "\n";
    } else {
      ctx.out << report::WhatIfText(*book, settings, *chips, *q, changes);
    }
    return kExitOk;
  };
}

Runner SetupHeadroom(CLI::App* sub) {
  struct Opts {
    std::string chip;
    bool json = false;
    RuleOptions r;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("CHIP", o->chip, "Catalog id or path to a chip file")->required();
  AddRuleOptions(sub, &o->r, true, "CN", "the latest date on which a rule or group changes");
  sub->add_flag("--json", o->json, "JSON output");
  return [o](Context& ctx) -> int {
    auto book = BookFor(ctx, o->r);
    if (!book.ok()) return ctx.Fail(book.error());
    auto q = QueryFor(*book, o->r, LatestDate(*book), "CN");
    if (!q.ok()) return ctx.Fail(q.error());
    auto chip = ResolveChip(ctx, o->chip);
    if (!chip.ok()) return ctx.Fail(chip.error());
    const auto rows = rules::Headroom(*book, chip->facts, *q);
    if (o->json)
      ctx.out << report::DumpJson(report::HeadroomJson(chip->label, *q, rows)) << "\n";
    else
      ctx.out << report::HeadroomText(chip->label, *q, rows);
    return kExitOk;
  };
}

}  // namespace ceiling::cli
