#include "ceiling/rules/countries.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "ceiling/base/file.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/catalog.h"
#include "located.h"

namespace ceiling::rules {
namespace {

namespace fs = std::filesystem;

Error SetError(std::string_view text, std::size_t offset, std::string message) {
  Error e = MakeError(ErrorCode::kParse, std::move(message),
                      SourceLocation{"", 1, static_cast<int>(offset) + 1});
  e.context = std::string(text);
  return e;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ValidCode(std::string_view code) {
  return code.size() == 2 && std::isupper(static_cast<unsigned char>(code[0])) &&
         std::isupper(static_cast<unsigned char>(code[1]));
}

bool InInterval(const Membership& m, Date d) {
  return (!m.added || *m.added <= d) && (!m.removed || d < *m.removed);
}

bool InWindow(const std::optional<Date>& after, Date bound, Date d) {
  return (!after || *after <= d) && d < bound;
}

}  // namespace

bool Membership::Uncertain(Date date) const {
  return (added_undated && added && InWindow(added_after, *added, date)) ||
         (removed_undated && removed && InWindow(removed_after, *removed, date));
}

Result<CountryDb> CountryDb::FromCountryFile(const fs::path& file, std::string display_name) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile(file, std::move(display_name)));
  return FromCountryTable(doc);
}

Result<CountryDb> CountryDb::FromCountryText(std::string_view text, std::string display_name) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, std::move(display_name)));
  return FromCountryTable(doc);
}

Result<CountryDb> CountryDb::FromCountryTable(const TomlTable& doc) {
  RETURN_IF_ERROR(doc.CheckKeys({"title", "note", "source", "countries", "treatment", "sources"}));
  CountryDb db;
  db.file_ = doc.file();
  ASSIGN_OR_RETURN(db.sources_, ReadSources(doc));
  ASSIGN_OR_RETURN(std::vector<std::string> src, ReadSourceKeys(doc, "source", db.sources_));
  (void)src;
  ASSIGN_OR_RETURN(TomlTable list, doc.GetTable("countries"));
  for (const std::string& code : list.Keys()) {
    if (!ValidCode(code))
      return list.ErrorAt(code, "expected an ISO 3166-1 alpha-2 code (two upper-case letters)");
    ASSIGN_OR_RETURN(std::string name, list.GetString(code));
    if (name.empty()) return list.ErrorAt(code, "the country name must not be empty");
    if (db.countries_.size() >= kMaxCountries)
      return list.ErrorAt(code, fmt::format("at most {} countries are supported", kMaxCountries));
    db.countries_.push_back({code, std::move(name)});
  }
  if (db.countries_.empty()) return list.ErrorHere("at least one country is required");
  if (doc.Has("treatment")) {
    ASSIGN_OR_RETURN(std::vector<TomlTable> items, doc.GetTableArray("treatment"));
    for (const TomlTable& t : items) {
      RETURN_IF_ERROR(t.CheckKeys({"code", "as", "from", "source", "note"}));
      Treatment tr;
      ASSIGN_OR_RETURN(std::string code, t.GetString("code"));
      ASSIGN_OR_RETURN(std::string as, t.GetString("as"));
      auto c = db.Find(code);
      if (!c) return t.ErrorAt("code", fmt::format("unknown country code \"{}\"", code));
      auto a = db.Find(as);
      if (!a) return t.ErrorAt("as", fmt::format("unknown country code \"{}\"", as));
      if (*c == *a) return t.ErrorAt("as", "a country cannot be treated as itself");
      tr.country = *c;
      tr.as = *a;
      ASSIGN_OR_RETURN(tr.from, t.GetDate("from"));
      ASSIGN_OR_RETURN(tr.sources, ReadSourceKeys(t, "source", db.sources_));
      ASSIGN_OR_RETURN(auto note, t.GetOptionalString("note"));
      tr.note = note.value_or("");
      db.treatments_.push_back(std::move(tr));
    }
  }
  return db;
}

Status CountryDb::AddGroupFile(const fs::path& file, std::string display_name) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile(file, std::move(display_name)));
  return AddGroupTable(doc);
}

Status CountryDb::AddGroupText(std::string_view text, std::string display_name) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, std::move(display_name)));
  return AddGroupTable(doc);
}

Status CountryDb::AddGroupTable(const TomlTable& doc) {
  RETURN_IF_ERROR(doc.CheckKeys({"id", "title", "citation", "note", "as_of", "members",
                                 "definition", "source", "change", "sources"}));
  CountryGroup g;
  g.file = doc.file();
  ASSIGN_OR_RETURN(g.source_map, ReadSources(doc));
  ASSIGN_OR_RETURN(g.id, doc.GetString("id"));
  {
    const auto colon = g.id.find(':');
    const bool ok = colon != std::string::npos && colon > 0 && colon + 1 < g.id.size() &&
                    std::all_of(g.id.begin(), g.id.end(), [](char c) {
                      return std::isupper(static_cast<unsigned char>(c)) ||
                             std::isdigit(static_cast<unsigned char>(c)) || c == ':';
                    }) &&
                    g.id.find(':', colon + 1) == std::string::npos;
    if (!ok)
      return doc.ErrorAt("id", fmt::format("expected a group id such as \"D:5\" (upper-case "
                                           "letters and digits around one ':'), got \"{}\"",
                                           g.id));
  }
  if (FindGroup(g.id) != nullptr)
    return doc.ErrorAt("id", fmt::format("group \"{}\" is defined twice", g.id));
  ASSIGN_OR_RETURN(g.title, doc.GetString("title"));
  ASSIGN_OR_RETURN(g.citation, doc.GetString("citation"));
  ASSIGN_OR_RETURN(auto note, doc.GetOptionalString("note"));
  g.note = note.value_or("");
  ASSIGN_OR_RETURN(g.as_of, doc.GetOptionalDate("as_of"));
  ASSIGN_OR_RETURN(g.sources, ReadSourceKeys(doc, "source", g.source_map));

  const bool has_members = doc.Has("members");
  const bool has_definition = doc.Has("definition");
  if (has_members == has_definition)
    return doc.ErrorHere("a group needs exactly one of \"members\" (a list of country codes) or "
                         "\"definition\" (a set expression)");
  if (has_members) {
    if (!g.as_of)
      return doc.ErrorHere("missing required key \"as_of\": the date the member list is true for");
    ASSIGN_OR_RETURN(std::vector<std::string> codes, doc.GetStringArray("members"));
    std::set<int> seen;
    for (const std::string& code : codes) {
      auto c = Find(code);
      if (!c) {
        auto r = Resolve(code);
        return doc.ErrorAt("members", r.ok() ? "" : r.error().message);
      }
      if (!seen.insert(*c).second)
        return doc.ErrorAt("members", fmt::format("\"{}\" is listed twice", code));
      g.members.push_back(*c);
    }
  } else {
    ASSIGN_OR_RETURN(std::string text, doc.GetString("definition"));
    auto expr = CompileSet(text);
    if (!expr.ok()) return LocateInValue(expr.error(), doc, "definition");
    g.definition = std::move(expr).value();
  }

  if (doc.Has("change")) {
    if (!has_members)
      return doc.ErrorAt("change", "dated changes are only allowed for groups with members");
    ASSIGN_OR_RETURN(std::vector<TomlTable> items, doc.GetTableArray("change"));
    for (const TomlTable& t : items) {
      RETURN_IF_ERROR(t.CheckKeys({"code", "added", "removed", "added_by", "removed_by",
                                   "added_after", "removed_after", "source", "note"}));
      Membership m;
      ASSIGN_OR_RETURN(std::string code, t.GetString("code"));
      auto c = Find(code);
      if (!c) {
        auto r = Resolve(code);
        return t.ErrorAt("code", r.ok() ? "" : r.error().message);
      }
      m.country = *c;
      // Each bound is exact (`added`) or undated (`added_by`, optionally `added_after`).
      for (const char* side : {"added", "removed"}) {
        const std::string exact(side), by = exact + "_by", after = exact + "_after";
        ASSIGN_OR_RETURN(auto e, t.GetOptionalDate(exact));
        ASSIGN_OR_RETURN(auto b, t.GetOptionalDate(by));
        ASSIGN_OR_RETURN(auto a, t.GetOptionalDate(after));
        if (e && b)
          return t.ErrorAt(by, fmt::format("give \"{}\" (the date of the change) or \"{}\" (the "
                                           "first snapshot that shows it), not both",
                                           exact, by));
        if (a && !b)
          return t.ErrorAt(after, fmt::format("\"{}\" needs \"{}\" (the first snapshot that "
                                              "shows the change)",
                                              after, by));
        if (a && b && !(*a < *b)) return t.ErrorAt(after, fmt::format("must be before \"{}\"", by));
        const bool undated = b.has_value();
        const std::optional<Date> bound = undated ? b : e;
        if (exact == "added") {
          m.added = bound, m.added_undated = undated, m.added_after = a;
        } else {
          m.removed = bound, m.removed_undated = undated, m.removed_after = a;
        }
      }
      if (!m.added && !m.removed)
        return t.ErrorHere(
            "a change needs \"added\", \"removed\" or both (or \"added_by\", "
            "\"removed_by\" when the date was not found)");
      if (m.added && m.removed && !(*m.added < *m.removed))
        return t.ErrorAt(t.Has("removed") ? "removed" : "removed_by", "must be after \"added\"");
      if (m.added && m.removed_after && *m.removed_after < *m.added)
        return t.ErrorAt("removed_after", "must not be before the member was added");
      ASSIGN_OR_RETURN(m.sources, ReadSourceKeys(t, "source", g.source_map));
      ASSIGN_OR_RETURN(auto n, t.GetOptionalString("note"));
      m.note = n.value_or("");
      // The snapshot must agree with the dated change on the snapshot's date.
      const bool listed =
          std::find(g.members.begin(), g.members.end(), m.country) != g.members.end();
      if (listed)
        return t.ErrorAt("code", fmt::format("\"{}\" has dated changes, so it must not also be in "
                                             "\"members\"", code));
      g.changes.push_back(std::move(m));
    }
    // The same country's intervals must not overlap.
    for (std::size_t i = 0; i < g.changes.size(); ++i)
      for (std::size_t j = i + 1; j < g.changes.size(); ++j) {
        const Membership& a = g.changes[i];
        const Membership& b = g.changes[j];
        if (a.country != b.country) continue;
        const bool disjoint = (a.removed && b.added && *a.removed <= *b.added) ||
                              (b.removed && a.added && *b.removed <= *a.added);
        if (!disjoint)
          return items[j].ErrorHere(fmt::format("overlaps an earlier change for \"{}\"",
                                                countries_[static_cast<std::size_t>(a.country)].code));
      }
  }
  groups_.push_back(std::move(g));
  return OkStatus();
}

Result<CountryDb> CountryDb::Load(const fs::path& dir) {
  const fs::path list = dir / "countries.toml";
  std::error_code ec;
  if (!fs::exists(list, ec))
    return MakeError(ErrorCode::kNotFound, fmt::format("{}: missing country list", list.string()));
  ASSIGN_OR_RETURN(CountryDb db, FromCountryFile(list, catalog::DisplayPath(list)));
  std::vector<fs::path> files = FilesIn(dir, {".toml"});
  std::erase_if(files, [](const fs::path& f) { return f.filename() == "countries.toml"; });
  // Members-only files first (sorted), then expression-defined ones, which may refer to them:
  // a group file is loaded once every group it names is known.
  std::vector<fs::path> pending = files;
  while (!pending.empty()) {
    std::vector<fs::path> retry;
    std::optional<Error> last;
    for (const fs::path& f : pending) {
      Status s = db.AddGroupFile(f, catalog::DisplayPath(f));
      if (!s.ok()) {
        // An unknown group may be defined by a later file; anything else is final.
        if (s.error().message.find("unknown group") == std::string::npos) return s.error();
        retry.push_back(f);
        last = s.error();
      }
    }
    if (retry.size() == pending.size()) return *last;
    pending = std::move(retry);
  }
  return db;
}

std::optional<int> CountryDb::Find(std::string_view code) const {
  for (std::size_t i = 0; i < countries_.size(); ++i)
    if (countries_[i].code == code) return static_cast<int>(i);
  return std::nullopt;
}

Result<int> CountryDb::Resolve(std::string_view code) const {
  if (auto c = Find(code)) return *c;
  // Suggestions: the upper-cased code, names that match, then codes one edit away.
  std::vector<std::pair<int, std::size_t>> scored;  // (score, index)
  const std::string lower = Lower(code);
  for (std::size_t i = 0; i < countries_.size(); ++i) {
    const Country& c = countries_[i];
    const std::string lname = Lower(c.name);
    int score = 100;
    if (Lower(c.code) == lower) score = 0;
    else if (lname == lower) score = 1;
    else if (lower.size() >= 3 && lname.rfind(lower, 0) == 0) score = 2;
    else if (lower.size() >= 4 && lname.find(lower) != std::string::npos) score = 3;
    else if (lower.size() >= 3 && EditDistance(lname, lower) <= 2) score = 4;
    else if (code.size() == 2 && lower[0] == Lower(c.code)[0] &&
             EditDistance(Lower(c.code), lower) == 1)
      score = 5;
    if (score < 100) scored.push_back({score, i});
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // An exact match by code or name needs no weaker company.
  if (!scored.empty() && scored.front().first <= 1)
    scored.erase(std::remove_if(scored.begin(), scored.end(), [](const auto& x) { return x.first > 1; }),
                 scored.end());
  std::string msg = fmt::format("unknown country code \"{}\"", code);
  if (!scored.empty()) {
    msg += "; did you mean ";
    const std::size_t n = std::min<std::size_t>(3, scored.size());
    for (std::size_t k = 0; k < n; ++k) {
      const Country& c = countries_[scored[k].second];
      msg += fmt::format("{}{} ({})", k == 0 ? "" : ", ", c.code, c.name);
    }
    msg += "?";
  } else {
    msg += " (expected an ISO 3166-1 alpha-2 code such as CN, SG, IL)";
  }
  return MakeError(ErrorCode::kInvalidArgument, std::move(msg));
}

const CountryGroup* CountryDb::FindGroup(std::string_view id) const {
  for (const CountryGroup& g : groups_)
    if (g.id == id) return &g;
  return nullptr;
}

Result<SetExpr> CountryDb::CompileSet(std::string_view text) const {
  // Shunting-yard over: atoms (GROUP, CODE, ALL), '(' ')', binary '|' '-' (prec 1), '&' (prec 2).
  SetExpr out;
  out.text_ = std::string(text);
  struct PendingOp {
    char op;
    std::size_t pos;
  };
  std::vector<PendingOp> ops;
  int operands = 0;
  bool expect_operand = true;
  auto prec = [](char op) { return op == '&' ? 2 : 1; };
  auto emit = [&](char op) {
    out.ops_.push_back({op == '|'   ? SetExpr::OpCode::kUnion
                        : op == '&' ? SetExpr::OpCode::kIntersect
                                    : SetExpr::OpCode::kDiff,
                        0});
    --operands;
  };
  std::size_t i = 0;
  while (true) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size()) break;
    const char c = text[i];
    if (expect_operand) {
      if (c == '(') {
        ops.push_back({'(', i});
        ++i;
        continue;
      }
      if (!std::isalnum(static_cast<unsigned char>(c)))
        return SetError(text, i, c == ')' ? "expected a group or country code before ')'"
                                          : fmt::format("expected a group (D:5) or a country "
                                                        "code (MO), got '{}'", c));
      std::size_t j = i;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) ||
                                 text[j] == ':' || text[j] == '_'))
        ++j;
      const std::string name(text.substr(i, j - i));
      if (name == "ALL") {
        out.ops_.push_back({SetExpr::OpCode::kAll, 0});
      } else if (name.find(':') != std::string::npos) {
        std::optional<std::size_t> gi;
        for (std::size_t g = 0; g < groups_.size(); ++g)
          if (groups_[g].id == name) gi = g;
        if (!gi) {
          std::string best;
          int best_d = 5;
          // Prefer a group of the same family (D:6 -> D:1 over A:6) at equal distance.
          const std::string family = name.substr(0, name.find(':'));
          for (const CountryGroup& g : groups_) {
            const int d = EditDistance(name, g.id) * 2 +
                          (g.id.substr(0, g.id.find(':')) == family ? 0 : 1);
            if (d < best_d) best_d = d, best = g.id;
          }
          return SetError(text, i, best.empty()
                                       ? fmt::format("unknown group \"{}\"", name)
                                       : fmt::format("unknown group \"{}\" (did you mean \"{}\"?)",
                                                     name, best));
        }
        out.ops_.push_back({SetExpr::OpCode::kGroup, static_cast<std::uint16_t>(*gi)});
      } else {
        auto ci = Find(name);
        if (!ci) {
          std::string upper = name;
          for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
          if (upper != name && Find(upper))
            return SetError(text, i, fmt::format("country codes are upper case: write {}", upper));
          auto r = Resolve(name);
          return SetError(text, i, r.ok() ? "" : r.error().message);
        }
        out.ops_.push_back({SetExpr::OpCode::kCountry, static_cast<std::uint16_t>(*ci)});
      }
      if (std::find(out.names_.begin(), out.names_.end(), name) == out.names_.end())
        out.names_.push_back(name);
      ++operands;
      expect_operand = false;
      i = j;
      continue;
    }
    // Expecting an operator or ')'.
    if (c == ')') {
      while (!ops.empty() && ops.back().op != '(') {
        emit(ops.back().op);
        ops.pop_back();
      }
      if (ops.empty()) return SetError(text, i, "unbalanced ')'");
      ops.pop_back();
      ++i;
      continue;
    }
    if (c == '|' || c == '&' || c == '-') {
      while (!ops.empty() && ops.back().op != '(' && prec(ops.back().op) >= prec(c)) {
        emit(ops.back().op);
        ops.pop_back();
      }
      ops.push_back({c, i});
      expect_operand = true;
      ++i;
      continue;
    }
    if (c == '+' || c == ',')
      return SetError(text, i, fmt::format("'{}' is not a set operator: use '|' (union), '&' "
                                           "(intersection) or '-' (difference)", c));
    return SetError(text, i, fmt::format("expected '|', '&', '-' or ')', got '{}' (missing an "
                                         "operator?)", c));
  }
  if (expect_operand)
    return SetError(text, text.size(), operands == 0 && ops.empty()
                                           ? "empty set expression"
                                           : "expected a group or country code at the end");
  while (!ops.empty()) {
    if (ops.back().op == '(') return SetError(text, ops.back().pos, "unclosed '('");
    emit(ops.back().op);
    ops.pop_back();
  }
  if (out.ops_.size() > 200) return SetError(text, 0, "set expression is too large");
  return out;
}

CountrySet CountryDb::GroupMembers(std::size_t group, Date date) const {
  const CountryGroup& g = groups_[group];
  CountrySet s;
  if (g.definition) return Eval(*g.definition, date, 1);
  for (int m : g.members) s.set(static_cast<std::size_t>(m));
  for (const Membership& m : g.changes)
    if (InInterval(m, date)) s.set(static_cast<std::size_t>(m.country));
  return s;
}

CountrySet CountryDb::Evaluate(const SetExpr& expr, Date date) const {
  CountrySet s = Eval(expr, date, 0);
  for (const Treatment& t : treatments_)
    if (t.from <= date) s.set(static_cast<std::size_t>(t.country), s.test(static_cast<std::size_t>(t.as)));
  return s;
}

CountrySet CountryDb::Eval(const SetExpr& expr, Date date, int depth) const {
  std::vector<CountrySet> stack;
  stack.reserve(8);
  for (const SetExpr::Op& op : expr.ops_) {
    switch (op.code) {
      case SetExpr::OpCode::kGroup:
        // Group definitions only name groups loaded before them, so recursion terminates.
        stack.push_back(depth > 16 ? CountrySet() : GroupMembers(op.index, date));
        break;
      case SetExpr::OpCode::kCountry: {
        CountrySet one;
        one.set(static_cast<std::size_t>(Canonical(op.index, date)));
        stack.push_back(one);
        break;
      }
      case SetExpr::OpCode::kAll: {
        CountrySet all;
        for (std::size_t k = 0; k < countries_.size(); ++k) all.set(k);
        stack.push_back(all);
        break;
      }
      default: {
        const CountrySet b = stack.back();
        stack.pop_back();
        CountrySet& a = stack.back();
        if (op.code == SetExpr::OpCode::kUnion) a |= b;
        else if (op.code == SetExpr::OpCode::kIntersect) a &= b;
        else a &= ~b;
      }
    }
  }
  return stack.empty() ? CountrySet() : stack.back();
}

int CountryDb::Canonical(int country, Date date) const {
  const Treatment* t = TreatmentOf(country, date);
  return t != nullptr ? t->as : country;
}

const Treatment* CountryDb::TreatmentOf(int country, Date date) const {
  for (const Treatment& t : treatments_)
    if (t.country == country && t.from <= date) return &t;
  return nullptr;
}

std::vector<std::string> CountryDb::GroupsOf(int country, Date date) const {
  const auto c = static_cast<std::size_t>(Canonical(country, date));
  std::vector<std::string> out;
  for (std::size_t g = 0; g < groups_.size(); ++g)
    if (GroupMembers(g, date).test(c)) out.push_back(groups_[g].id);
  return out;
}

MembershipInfo CountryDb::MembershipOf(std::size_t group, int country, Date date) const {
  const CountryGroup& g = groups_[group];
  const int c = Canonical(country, date);
  MembershipInfo out;
  if (g.definition) {
    out.member = Eval(*g.definition, date, 1).test(static_cast<std::size_t>(c));
    return out;
  }
  out.member = std::find(g.members.begin(), g.members.end(), c) != g.members.end();
  for (const Membership& m : g.changes) {
    if (m.country != c) continue;
    // The record that covers the date, or else the nearest one (it says when the country was
    // or will be a member, and why it is not now).
    if (InInterval(m, date)) {
      out = {true, &m, m.Uncertain(date)};
      return out;
    }
    out.change = &m;
    out.assumed = m.Uncertain(date);
  }
  return out;
}

std::vector<std::size_t> CountryDb::GroupsIn(const SetExpr& expr) const {
  std::vector<std::size_t> out;
  std::vector<const SetExpr*> todo = {&expr};
  for (int depth = 0; !todo.empty() && depth < 32; ++depth) {
    std::vector<const SetExpr*> next;
    for (const SetExpr* e : todo)
      for (const SetExpr::Op& op : e->ops_) {
        if (op.code != SetExpr::OpCode::kGroup) continue;
        if (std::find(out.begin(), out.end(), op.index) != out.end()) continue;
        out.push_back(op.index);
        if (groups_[op.index].definition) next.push_back(&*groups_[op.index].definition);
      }
    todo = std::move(next);
  }
  return out;
}

std::vector<std::pair<std::size_t, const Membership*>> CountryDb::UncertainMemberships(
    int country, Date date) const {
  const int c = Canonical(country, date);
  std::vector<std::pair<std::size_t, const Membership*>> out;
  for (std::size_t g = 0; g < groups_.size(); ++g)
    for (const Membership& m : groups_[g].changes)
      if (m.country == c && m.Uncertain(date)) out.push_back({g, &m});
  return out;
}

std::vector<Date> CountryDb::ChangeDates() const {
  std::vector<Date> out;
  for (const Treatment& t : treatments_) out.push_back(t.from);
  for (const CountryGroup& g : groups_)
    for (const Membership& m : g.changes) {
      if (m.added) out.push_back(*m.added);
      if (m.removed) out.push_back(*m.removed);
      if (m.added_after) out.push_back(*m.added_after);
      if (m.removed_after) out.push_back(*m.removed_after);
    }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace ceiling::rules
