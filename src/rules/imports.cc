// The import side (see imports.h and docs/data-format.md).
#include "ceiling/rules/imports.h"

#include <fmt/format.h>

#include <algorithm>
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

constexpr double kBuyerMatch = 0.88;

// How strongly an effect restricts buying, for the verdict.
int Rank(ImportVerdict v) {
  switch (v) {
    case ImportVerdict::kNone:
      return 0;
    case ImportVerdict::kScrutiny:
      return 1;
    case ImportVerdict::kDiscouraged:
      return 2;
    case ImportVerdict::kRestricted:
      return 3;
    case ImportVerdict::kApproved:
      return 4;
    case ImportVerdict::kBlockedExceptApproved:
      return 5;
    case ImportVerdict::kBlocked:
      return 6;
  }
  return 0;
}

Result<ImportMeasure> ReadMeasure(const TomlTable& doc, const CountryDb& countries) {
  RETURN_IF_ERROR(doc.CheckKeys({"id",
                                 "country",
                                 "authority",
                                 "title",
                                 "date",
                                 "approximate",
                                 "until",
                                 "effect",
                                 "basis",
                                 "products",
                                 "pending_products",
                                 "vendors",
                                 "foreign_only",
                                 "domestic_vendors",
                                 "products_text",
                                 "buyers",
                                 "buyers_text",
                                 "projects_text",
                                 "summary",
                                 "checked",
                                 "source",
                                 "sources"}));
  ImportMeasure m;
  m.file = doc.file();
  m.location = doc.LocationOf("id");
  ASSIGN_OR_RETURN(m.source_map, ReadSources(doc));
  ASSIGN_OR_RETURN(m.id, doc.GetString("id"));
  if (!ValidId(m.id))
    return doc.ErrorAt(
        "id", fmt::format("expected lower-case letters, digits and '-', got \"{}\"", m.id));
  ASSIGN_OR_RETURN(std::string country, doc.GetString("country"));
  auto c = countries.Find(country);
  if (!c) {
    auto r = countries.Resolve(country);
    return doc.ErrorAt("country", r.ok() ? "unknown country" : r.error().message);
  }
  m.country = *c;
  ASSIGN_OR_RETURN(m.authority, doc.GetString("authority"));
  ASSIGN_OR_RETURN(m.title, doc.GetString("title"));
  ASSIGN_OR_RETURN(m.date, doc.GetDate("date"));
  ASSIGN_OR_RETURN(auto approx, doc.GetOptionalBool("approximate"));
  m.approximate = approx.value_or(false);
  ASSIGN_OR_RETURN(m.until, doc.GetOptionalDate("until"));
  if (m.until && !(m.date < *m.until)) return doc.ErrorAt("until", "must be after \"date\"");
  ASSIGN_OR_RETURN(std::string effect, doc.GetString("effect"));
  bool found = false;
  for (ImportEffect e : {ImportEffect::kScrutiny, ImportEffect::kDiscouraged, ImportEffect::kBarred,
                         ImportEffect::kApproved})
    if (ImportEffectName(e) == effect) m.effect = e, found = true;
  if (!found)
    return doc.ErrorAt("effect", fmt::format("expected scrutiny, discouraged, barred or approved, "
                                             "got \"{}\"",
                                             effect));
  ASSIGN_OR_RETURN(std::string basis, doc.GetString("basis"));
  if (basis == "official")
    m.basis = ImportBasis::kOfficial;
  else if (basis == "reported")
    m.basis = ImportBasis::kReported;
  else
    return doc.ErrorAt("basis", fmt::format("expected official (published text) or reported (press "
                                            "reports), got \"{}\"",
                                            basis));
  for (const char* key : {"products", "pending_products", "vendors", "domestic_vendors", "buyers"})
    if (doc.Has(key)) {
      ASSIGN_OR_RETURN(auto list, doc.GetStringArray(key, true));
      const std::string k(key);
      (k == "products"           ? m.products
       : k == "pending_products" ? m.pending_products
       : k == "vendors"          ? m.vendors
       : k == "domestic_vendors" ? m.domestic_vendors
                                 : m.buyers) = std::move(list);
    }
  ASSIGN_OR_RETURN(auto foreign, doc.GetOptionalBool("foreign_only"));
  m.foreign_only = foreign.value_or(false);
  if (m.foreign_only && m.domestic_vendors.empty())
    return doc.ErrorAt("foreign_only",
                       "needs \"domestic_vendors\": the vendors that count as "
                       "domestic");
  if (!m.foreign_only && doc.Has("domestic_vendors"))
    return doc.ErrorAt("domestic_vendors", "only meaningful with foreign_only = true");
  if (m.products.empty() && m.pending_products.empty() && m.vendors.empty() && !m.foreign_only)
    return doc.ErrorHere(
        "a measure needs a scope of chips: \"products\", \"pending_products\", "
        "\"vendors\" or foreign_only = true");
  ASSIGN_OR_RETURN(m.products_text, doc.GetString("products_text"));
  for (const std::string& b : m.buyers)
    if (NameTokens(b).empty()) return doc.ErrorAt("buyers", "a buyer's name must not be empty");
  ASSIGN_OR_RETURN(auto buyers_text, doc.GetOptionalString("buyers_text"));
  m.buyers_text = buyers_text.value_or("");
  ASSIGN_OR_RETURN(auto projects_text, doc.GetOptionalString("projects_text"));
  m.projects_text = projects_text.value_or("");
  if (m.effect == ImportEffect::kApproved && m.buyers.empty())
    return doc.ErrorAt("effect", "an approval needs the \"buyers\" it was granted to");
  ASSIGN_OR_RETURN(m.summary, doc.GetString("summary"));
  ASSIGN_OR_RETURN(m.checked, doc.GetOptionalDate("checked"));
  if (m.checked)
    for (const auto& [key, src] : m.source_map)
      if (*m.checked < src.read)
        return doc.ErrorAt("checked", fmt::format("is before source \"{}\" was read ({})", key,
                                                  src.read.ToString()));
  ASSIGN_OR_RETURN(m.sources, ReadSourceKeys(doc, "source", m.source_map));
  for (const auto& [key, src] : m.source_map)
    if (std::find(m.sources.begin(), m.sources.end(), key) == m.sources.end()) {
      ASSIGN_OR_RETURN(TomlTable s, doc.GetTable("sources"));
      return s.ErrorAt(key, "source is defined but never cited");
    }
  // An official measure rests on published text: at least one primary or quoted source.
  if (m.basis == ImportBasis::kOfficial && TextBasisOf(m.sources, m.source_map) == TextBasis::kSecondary)
    return doc.ErrorAt("basis",
                       "an official measure needs a primary or quoted source (the "
                       "published text); mark it reported otherwise");
  return m;
}

}  // namespace

std::string_view ImportEffectName(ImportEffect e) {
  switch (e) {
    case ImportEffect::kScrutiny:
      return "scrutiny";
    case ImportEffect::kDiscouraged:
      return "discouraged";
    case ImportEffect::kBarred:
      return "barred";
    case ImportEffect::kApproved:
      return "approved";
  }
  return "scrutiny";
}

std::string_view ImportBasisName(ImportBasis b) {
  return b == ImportBasis::kOfficial ? "official" : "reported";
}

std::string_view ImportVerdictName(ImportVerdict v) {
  switch (v) {
    case ImportVerdict::kNone:
      return "none";
    case ImportVerdict::kScrutiny:
      return "scrutiny";
    case ImportVerdict::kDiscouraged:
      return "discouraged";
    case ImportVerdict::kRestricted:
      return "restricted";
    case ImportVerdict::kBlocked:
      return "blocked";
    case ImportVerdict::kBlockedExceptApproved:
      return "blocked-except-approved";
    case ImportVerdict::kApproved:
      return "approved";
  }
  return "none";
}

std::string_view ImportVerdictTitle(ImportVerdict v) {
  switch (v) {
    case ImportVerdict::kNone:
      return "no import measure found";
    case ImportVerdict::kScrutiny:
      return "under regulatory scrutiny (no purchase ban)";
    case ImportVerdict::kDiscouraged:
      return "purchases discouraged";
    case ImportVerdict::kRestricted:
      return "barred for some buyers or projects";
    case ImportVerdict::kBlocked:
      return "blocked";
    case ImportVerdict::kBlockedExceptApproved:
      return "blocked, except for buyers with approvals";
    case ImportVerdict::kApproved:
      return "approved for this buyer";
  }
  return "none";
}

bool ImportMeasure::CoversChip(const ChipFacts& facts) const {
  if (facts.Known(Var::kId)) {
    const std::string& chip = facts.text(Var::kId);
    if (std::find(products.begin(), products.end(), chip) != products.end()) return true;
    if (std::find(pending_products.begin(), pending_products.end(), chip) != pending_products.end())
      return true;
  }
  if (facts.Known(Var::kVendor)) {
    const std::string& v = facts.text(Var::kVendor);
    if (std::find(vendors.begin(), vendors.end(), v) != vendors.end()) return true;
    if (foreign_only &&
        std::find(domestic_vendors.begin(), domestic_vendors.end(), v) == domestic_vendors.end())
      return true;
  }
  return false;
}

Date ImportMeasure::LastChecked() const {
  if (checked) return *checked;
  Date latest{1970, 1, 1};
  for (const auto& [key, src] : source_map) latest = std::max(latest, src.read);
  return latest;
}

Status ImportDb::AddFile(const fs::path& path, const CountryDb& countries,
                         std::string display_name) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile(path, std::move(display_name)));
  return Add(doc, countries);
}

Status ImportDb::AddText(std::string_view text, const CountryDb& countries,
                         std::string display_name) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, std::move(display_name)));
  return Add(doc, countries);
}

Status ImportDb::Add(const TomlTable& doc, const CountryDb& countries) {
  ASSIGN_OR_RETURN(ImportMeasure m, ReadMeasure(doc, countries));
  for (const ImportMeasure& other : measures_)
    if (other.id == m.id)
      return doc.ErrorAt("id", fmt::format("measure \"{}\" is defined twice", m.id));
  measures_.push_back(std::move(m));
  return OkStatus();
}

Result<ImportDb> ImportDb::Load(const fs::path& dir, const CountryDb& countries) {
  ImportDb db;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return db;
  for (const fs::path& f : FilesIn(dir, {".toml"})) {
    RETURN_IF_ERROR(db.AddFile(f, countries, catalog::DisplayPath(f)));
    if (db.measures_.back().id != f.stem().string())
      return MakeError(ErrorCode::kSchema,
                       fmt::format("id: \"{}\" does not match the file name (expected \"{}\")",
                                   db.measures_.back().id, f.stem().string()),
                       SourceLocation{catalog::DisplayPath(f), 1, 1});
  }
  std::stable_sort(db.measures_.begin(), db.measures_.end(),
                   [](const ImportMeasure& a, const ImportMeasure& b) { return a.date < b.date; });
  return db;
}

bool ImportDb::HasCountry(int country) const {
  return std::any_of(measures_.begin(), measures_.end(),
                     [&](const ImportMeasure& m) { return m.country == country; });
}

std::vector<Date> ImportDb::ChangeDates() const {
  std::vector<Date> out;
  for (const ImportMeasure& m : measures_) {
    out.push_back(m.date);
    if (m.until) out.push_back(*m.until);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

ImportSide EvaluateImports(const ImportDb& db, const ChipFacts& facts, int destination, Date date,
                           std::string_view end_user) {
  ImportSide out;
  EvaluateImportsInto(db, facts, destination, date, end_user, &out);
  return out;
}

void EvaluateImportsInto(const ImportDb& db, const ChipFacts& facts, int destination, Date date,
                         std::string_view end_user, ImportSide* side) {
  ImportSide& out = *side;
  out.country = -1;
  out.measures.clear();
  out.verdict = ImportVerdict::kNone;
  out.reported_only = true;
  out.approved_buyers.clear();
  if (!db.HasCountry(destination)) return;
  out.country = destination;
  const std::vector<std::string> user = NameTokens(end_user);
  ImportVerdict verdict = ImportVerdict::kNone;
  bool verdict_reported = true;
  auto raise = [&](ImportVerdict v, const ImportMeasure& m) {
    if (Rank(v) < Rank(verdict)) return;
    if (Rank(v) > Rank(verdict)) verdict_reported = true;
    verdict = v;
    verdict_reported = verdict_reported && m.basis == ImportBasis::kReported;
  };
  for (const ImportMeasure& m : db.measures()) {  // date order
    if (m.country != destination || !m.InForce(date) || !m.CoversChip(facts)) continue;
    ImportHit h;
    h.measure = &m;
    if (!m.buyers.empty()) {
      if (user.empty()) {
        h.applies = Tri::kUnknown;
      } else {
        for (const std::string& b : m.buyers) {
          const double s = NameSimilarity(user, NameTokens(b));
          if (s > h.score) h.score = s, h.matched_buyer = b;
        }
        // Not among the named buyers: outside the scope, unless the scope also covers buyers
        // described in words ("other large technology companies").
        h.applies = h.score >= kBuyerMatch                               ? Tri::kTrue
                    : !m.buyers_text.empty() || !m.projects_text.empty() ? Tri::kUnknown
                                                                         : Tri::kFalse;
      }
    } else if (!m.buyers_text.empty() || !m.projects_text.empty()) {
      h.applies = Tri::kUnknown;  // a class of buyers or projects described in words
    }
    switch (m.effect) {
      case ImportEffect::kScrutiny:
        if (h.applies != Tri::kFalse) raise(ImportVerdict::kScrutiny, m);
        break;
      case ImportEffect::kDiscouraged:
        if (h.applies != Tri::kFalse) raise(ImportVerdict::kDiscouraged, m);
        break;
      case ImportEffect::kBarred:
        if (h.applies == Tri::kTrue)
          raise(ImportVerdict::kBlocked, m);
        else if (h.applies == Tri::kUnknown)
          raise(ImportVerdict::kRestricted, m);
        break;
      case ImportEffect::kApproved: {
        out.approved_buyers.clear();
        for (const std::string& b : m.buyers)
          out.approved_buyers += (out.approved_buyers.empty() ? "" : ", ") + b;
        // A later approval lifts an earlier block for the buyers it names.
        if (verdict == ImportVerdict::kBlocked) {
          if (h.applies == Tri::kTrue) {
            verdict = ImportVerdict::kApproved;
            verdict_reported = m.basis == ImportBasis::kReported;
          } else {
            verdict = ImportVerdict::kBlockedExceptApproved;
          }
        }
        break;
      }
    }
    out.measures.push_back(std::move(h));
  }
  out.verdict = verdict;
  out.reported_only = verdict_reported;
}

std::vector<ImportTimelineEntry> ImportTimeline(const ImportDb& db, const ChipFacts& facts,
                                                int destination, std::string_view end_user) {
  std::vector<ImportTimelineEntry> out;
  if (!db.HasCountry(destination)) return out;
  for (Date d : db.ChangeDates()) {
    ImportSide s = EvaluateImports(db, facts, destination, d, end_user);
    std::vector<const ImportMeasure*> started;
    for (const ImportHit& h : s.measures)
      if (h.measure->date == d) started.push_back(h.measure);
    auto same = [](const ImportSide& a, const ImportSide& b) {
      if (a.verdict != b.verdict || a.measures.size() != b.measures.size()) return false;
      for (std::size_t i = 0; i < a.measures.size(); ++i)
        if (a.measures[i].measure != b.measures[i].measure) return false;
      return true;
    };
    if (out.empty() ? s.measures.empty() : same(out.back().side, s)) continue;
    out.push_back({d, std::move(s), std::move(started)});
  }
  return out;
}

}  // namespace ceiling::rules
