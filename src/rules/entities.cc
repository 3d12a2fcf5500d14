// Loading data/entities (see entities.h and docs/data-format.md).
#include "ceiling/rules/entities.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

#include "ceiling/base/file.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/rules/screening.h"

namespace ceiling::rules {
namespace {

namespace fs = std::filesystem;

bool ValidId(std::string_view id) {
  if (id.empty() || id.front() == '-' || id.back() == '-') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Date LatestRead(const SourceMap& sources) {
  Date latest{1970, 1, 1};
  for (const auto& [key, src] : sources) latest = std::max(latest, src.read);
  return latest;
}

Status CheckChecked(const TomlTable& doc, const std::optional<Date>& checked,
                    const SourceMap& sources) {
  if (!checked) return OkStatus();
  for (const auto& [key, src] : sources)
    if (*checked < src.read)
      return doc.ErrorAt("checked", fmt::format("is before source \"{}\" was read ({})", key,
                                                src.read.ToString()));
  return OkStatus();
}

// Every defined source is cited somewhere (a stale source is usually a missing citation).
Status CheckAllCited(const TomlTable& doc, const SourceMap& sources,
                     const std::set<std::string>& used) {
  for (const auto& [key, src] : sources)
    if (used.count(key) == 0) {
      ASSIGN_OR_RETURN(TomlTable s, doc.GetTable("sources"));
      return s.ErrorAt(key, "source is defined but never cited");
    }
  return OkStatus();
}

Result<ReviewPolicy> ReadPolicyKey(const TomlTable& t, std::string_view key) {
  ASSIGN_OR_RETURN(std::string p, t.GetString(key));
  for (ReviewPolicy r : {ReviewPolicy::kPresumptionOfDenial, ReviewPolicy::kPresumptionOfApproval,
                         ReviewPolicy::kCaseByCase, ReviewPolicy::kNotPublished})
    if (ReviewPolicyName(r) == p) return r;
  return t.ErrorAt(key, fmt::format("expected presumption-of-denial, presumption-of-approval, "
                                    "case-by-case or not-published, got \"{}\"",
                                    p));
}

Result<EntityNotice> ReadNotice(const TomlTable& doc) {
  RETURN_IF_ERROR(doc.CheckKeys({"kind", "id", "title", "citation", "document", "published",
                                 "effective", "checked", "summary", "source", "entry", "sources"}));
  EntityNotice n;
  n.file = doc.file();
  ASSIGN_OR_RETURN(n.source_map, ReadSources(doc));
  ASSIGN_OR_RETURN(n.id, doc.GetString("id"));
  if (!ValidId(n.id))
    return doc.ErrorAt(
        "id", fmt::format("expected lower-case letters, digits and '-', got \"{}\"", n.id));
  ASSIGN_OR_RETURN(n.title, doc.GetString("title"));
  ASSIGN_OR_RETURN(n.citation, doc.GetString("citation"));
  if (n.citation.empty()) return doc.ErrorAt("citation", "must not be empty");
  ASSIGN_OR_RETURN(auto document, doc.GetOptionalString("document"));
  n.document = document.value_or("");
  ASSIGN_OR_RETURN(n.published, doc.GetOptionalDate("published"));
  ASSIGN_OR_RETURN(n.effective, doc.GetDate("effective"));
  ASSIGN_OR_RETURN(n.checked, doc.GetOptionalDate("checked"));
  RETURN_IF_ERROR(CheckChecked(doc, n.checked, n.source_map));
  ASSIGN_OR_RETURN(n.summary, doc.GetString("summary"));
  ASSIGN_OR_RETURN(n.sources, ReadSourceKeys(doc, "source", n.source_map));
  std::set<std::string> used(n.sources.begin(), n.sources.end());
  if (!doc.Has("entry")) return doc.ErrorHere("a notice needs at least one [[entry]]");
  ASSIGN_OR_RETURN(std::vector<TomlTable> entries, doc.GetTableArray("entry"));
  std::set<std::string> names;
  for (const TomlTable& t : entries) {
    RETURN_IF_ERROR(t.CheckKeys({"name", "aliases", "country", "license_requirement",
                                 "review_policy", "footnote", "removed", "source", "note"}));
    ListedParty p;
    ASSIGN_OR_RETURN(p.name, t.GetString("name"));
    if (NameTokens(p.name).empty())
      return t.ErrorAt("name", "must name a party (it is empty or only a legal form)");
    if (!names.insert(Lower(p.name)).second)
      return t.ErrorAt("name", fmt::format("\"{}\" is listed twice in this notice", p.name));
    if (t.Has("aliases")) {
      ASSIGN_OR_RETURN(p.aliases, t.GetStringArray("aliases", true));
      for (const std::string& a : p.aliases)
        if (NameTokens(a).empty()) return t.ErrorAt("aliases", "an alias must not be empty");
    }
    ASSIGN_OR_RETURN(p.country, t.GetString("country"));
    ASSIGN_OR_RETURN(p.license_requirement, t.GetString("license_requirement"));
    if (p.license_requirement.empty())
      return t.ErrorAt("license_requirement", "must not be empty: write the row's text");
    ASSIGN_OR_RETURN(p.policy, ReadPolicyKey(t, "review_policy"));
    p.policy_text = std::string(ReviewPolicyTitle(p.policy));
    ASSIGN_OR_RETURN(auto fn, t.GetOptionalString("footnote"));
    p.footnote = fn.value_or("");
    ASSIGN_OR_RETURN(p.removed, t.GetOptionalDate("removed"));
    if (p.removed && !(n.effective < *p.removed))
      return t.ErrorAt("removed", "must be after the notice's effective date");
    ASSIGN_OR_RETURN(p.sources, ReadSourceKeys(t, "source", n.source_map));
    used.insert(p.sources.begin(), p.sources.end());
    ASSIGN_OR_RETURN(auto note, t.GetOptionalString("note"));
    p.note = note.value_or("");
    p.list = "Entity List";
    p.entity_list = true;
    p.citation = n.citation;
    p.listed = n.effective;
    p.origin = t.location().ToString();
    p.tokens.push_back(NameTokens(p.name));
    for (const std::string& a : p.aliases) p.tokens.push_back(NameTokens(a));
    n.entries.push_back(std::move(p));
  }
  RETURN_IF_ERROR(CheckAllCited(doc, n.source_map, used));
  return n;
}

Result<AffiliatesRule> ReadAffiliates(const TomlTable& doc) {
  RETURN_IF_ERROR(
      doc.CheckKeys({"kind", "id", "title", "citation", "document", "published", "effective",
                     "checked", "threshold_percent", "summary", "source", "period", "sources"}));
  AffiliatesRule a;
  a.file = doc.file();
  ASSIGN_OR_RETURN(a.source_map, ReadSources(doc));
  ASSIGN_OR_RETURN(a.id, doc.GetString("id"));
  if (!ValidId(a.id))
    return doc.ErrorAt(
        "id", fmt::format("expected lower-case letters, digits and '-', got \"{}\"", a.id));
  ASSIGN_OR_RETURN(a.title, doc.GetString("title"));
  ASSIGN_OR_RETURN(a.citation, doc.GetString("citation"));
  ASSIGN_OR_RETURN(auto document, doc.GetOptionalString("document"));
  a.document = document.value_or("");
  ASSIGN_OR_RETURN(a.published, doc.GetOptionalDate("published"));
  ASSIGN_OR_RETURN(a.effective, doc.GetDate("effective"));
  ASSIGN_OR_RETURN(a.checked, doc.GetOptionalDate("checked"));
  RETURN_IF_ERROR(CheckChecked(doc, a.checked, a.source_map));
  ASSIGN_OR_RETURN(a.threshold_percent, doc.GetNumber("threshold_percent"));
  if (!(a.threshold_percent > 0 && a.threshold_percent <= 100))
    return doc.ErrorAt("threshold_percent", "expected a percentage above 0 and at most 100");
  ASSIGN_OR_RETURN(a.summary, doc.GetString("summary"));
  ASSIGN_OR_RETURN(a.sources, ReadSourceKeys(doc, "source", a.source_map));
  std::set<std::string> used(a.sources.begin(), a.sources.end());
  if (!doc.Has("period")) return doc.ErrorHere("the rule needs at least one [[period]]");
  ASSIGN_OR_RETURN(std::vector<TomlTable> periods, doc.GetTableArray("period"));
  for (const TomlTable& t : periods) {
    RETURN_IF_ERROR(t.CheckKeys({"from", "status", "scheduled", "source", "note"}));
    AffiliatesPeriod p;
    ASSIGN_OR_RETURN(p.from, t.GetDate("from"));
    if (a.periods.empty() && !(p.from == a.effective))
      return t.ErrorAt("from", fmt::format("the first period starts on the effective date {}",
                                           a.effective.ToString()));
    if (!a.periods.empty() && !(a.periods.back().from < p.from))
      return t.ErrorAt("from", "periods must be in date order");
    ASSIGN_OR_RETURN(std::string status, t.GetString("status"));
    if (status == "in-effect")
      p.status = AffiliatesStatus::kInEffect;
    else if (status == "suspended")
      p.status = AffiliatesStatus::kSuspended;
    else
      return t.ErrorAt("status",
                       fmt::format("expected in-effect or suspended, got \"{}\"", status));
    ASSIGN_OR_RETURN(auto scheduled, t.GetOptionalBool("scheduled"));
    p.scheduled = scheduled.value_or(false);
    ASSIGN_OR_RETURN(p.sources, ReadSourceKeys(t, "source", a.source_map));
    used.insert(p.sources.begin(), p.sources.end());
    ASSIGN_OR_RETURN(auto note, t.GetOptionalString("note"));
    p.note = note.value_or("");
    if (p.scheduled && p.note.empty())
      return t.ErrorAt("scheduled", "a scheduled period needs a note saying what was (not) found");
    a.periods.push_back(std::move(p));
  }
  RETURN_IF_ERROR(CheckAllCited(doc, a.source_map, used));
  return a;
}

}  // namespace

Date EntityNotice::LastChecked() const { return checked ? *checked : LatestRead(source_map); }
Date AffiliatesRule::LastChecked() const { return checked ? *checked : LatestRead(source_map); }

const AffiliatesPeriod* AffiliatesRule::PeriodOn(Date date) const {
  const AffiliatesPeriod* out = nullptr;
  for (const AffiliatesPeriod& p : periods)
    if (p.from <= date) out = &p;
  return out;
}

std::string_view AffiliatesStatusName(AffiliatesStatus s) {
  switch (s) {
    case AffiliatesStatus::kNotYetIssued:
      return "not-yet-issued";
    case AffiliatesStatus::kInEffect:
      return "in-effect";
    case AffiliatesStatus::kSuspended:
      return "suspended";
  }
  return "in-effect";
}

EntityDb::EntityDb(const EntityDb& other)
    : notices_(other.notices_), affiliates_(other.affiliates_) {
  Relink();
}

EntityDb& EntityDb::operator=(const EntityDb& other) {
  if (this == &other) return *this;
  notices_ = other.notices_;
  affiliates_ = other.affiliates_;
  Relink();
  return *this;
}

void EntityDb::Relink() {
  for (EntityNotice& n : notices_)
    for (ListedParty& p : n.entries) p.notice = &n;
}

Status EntityDb::Add(const TomlTable& doc) {
  ASSIGN_OR_RETURN(std::string kind, doc.GetString("kind"));
  if (kind == "entity-list-notice") {
    ASSIGN_OR_RETURN(EntityNotice n, ReadNotice(doc));
    for (const EntityNotice& other : notices_)
      if (other.id == n.id)
        return doc.ErrorAt("id", fmt::format("notice \"{}\" is defined twice", n.id));
    notices_.push_back(std::move(n));
    Relink();
    return OkStatus();
  }
  if (kind == "affiliates-rule") {
    if (affiliates_)
      return doc.ErrorAt(
          "kind", fmt::format("the Affiliates rule is already defined in {}", affiliates_->file));
    ASSIGN_OR_RETURN(AffiliatesRule a, ReadAffiliates(doc));
    affiliates_ = std::move(a);
    return OkStatus();
  }
  return doc.ErrorAt(
      "kind", fmt::format("expected entity-list-notice or affiliates-rule, got \"{}\"", kind));
}

Status EntityDb::AddFile(const fs::path& path, std::string display_name) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile(path, std::move(display_name)));
  return Add(doc);
}

Status EntityDb::AddText(std::string_view text, std::string display_name) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, std::move(display_name)));
  return Add(doc);
}

Result<EntityDb> EntityDb::Load(const fs::path& dir) {
  EntityDb db;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return db;
  for (const fs::path& f : FilesIn(dir, {".toml"})) {
    ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile(f, catalog::DisplayPath(f)));
    RETURN_IF_ERROR(db.Add(doc));
    const std::string stem = f.stem().string();
    ASSIGN_OR_RETURN(std::string id, doc.GetString("id"));
    if (id != stem)
      return MakeError(
          ErrorCode::kSchema,
          fmt::format("id: \"{}\" does not match the file name (expected \"{}\")", id, stem),
          SourceLocation{catalog::DisplayPath(f), 1, 1});
  }
  return db;
}

std::vector<const ListedParty*> EntityDb::parties() const {
  std::vector<const ListedParty*> out;
  for (const EntityNotice& n : notices_)
    for (const ListedParty& p : n.entries) out.push_back(&p);
  return out;
}

std::vector<Date> EntityDb::ChangeDates() const {
  std::vector<Date> out;
  for (const EntityNotice& n : notices_) {
    out.push_back(n.effective);
    for (const ListedParty& p : n.entries)
      if (p.removed) out.push_back(*p.removed);
  }
  if (affiliates_)
    for (const AffiliatesPeriod& p : affiliates_->periods) out.push_back(p.from);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<Owner> ParseOwner(std::string_view spec) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
  };
  Owner o;
  const auto eq = spec.rfind('=');
  std::string_view name = spec, share;
  if (eq != std::string_view::npos) {
    name = spec.substr(0, eq);
    share = spec.substr(eq + 1);
  }
  o.name = trim(name);
  if (NameTokens(o.name).empty())
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("\"{}\": expected an owner's name, optionally with a share as in "
                                 "\"NAME=60%\" or \"NAME=60%>OWNED\"",
                                 spec));
  if (eq == std::string_view::npos) return o;
  const auto gt = share.find('>');
  if (gt != std::string_view::npos) {
    o.of = trim(share.substr(gt + 1));
    share = share.substr(0, gt);
    if (NameTokens(o.of).empty())
      return MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("\"{}\": expected the name of what the owner owns after '>'", spec));
  }
  std::string pct = trim(share);
  if (!pct.empty() && pct.back() == '%') pct.pop_back();
  pct = trim(pct);
  char* end = nullptr;
  const double v = pct.empty() ? -1 : std::strtod(pct.c_str(), &end);
  if (pct.empty() || end != pct.c_str() + pct.size() || !(v >= 0 && v <= 100))
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("\"{}\": the share must be a percentage from 0 to 100, as in "
                                 "\"NAME=60%\"",
                                 spec));
  o.percent = v;
  return o;
}

ReviewPolicy PolicyFromText(std::string_view text) {
  const std::string t = Lower(text);
  auto has = [&](const char* s) { return t.find(s) != std::string::npos; };
  const bool denial = has("presumption of denial") || has("policy of denial");
  const bool approval = has("presumption of approval");
  const bool cbc = has("case-by-case") || has("case by case");
  // A row that mixes policies ("case-by-case for CCL items, approval for EAR99") is kept as
  // text only.
  if (denial + approval + cbc != 1) return ReviewPolicy::kNotRecorded;
  if (denial) return ReviewPolicy::kPresumptionOfDenial;
  if (approval) return ReviewPolicy::kPresumptionOfApproval;
  return ReviewPolicy::kCaseByCase;
}

}  // namespace ceiling::rules
