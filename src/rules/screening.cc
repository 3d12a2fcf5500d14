// Name screening and the Consolidated Screening List formats (see screening.h).
#include "ceiling/rules/screening.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "ceiling/base/toml_reader.h"

namespace ceiling::rules {
namespace {

// Words that say what kind of company a name is, not which one.
const std::set<std::string>& LegalForms() {
  static const std::set<std::string> k = {
      "co",          "company", "companies", "ltd",  "limited", "inc", "incorporated", "corp",
      "corporation", "llc",     "plc",       "gmbh", "ag",      "sa",  "bv",           "nv",
      "pte",         "pty",     "srl",       "the",  "of",      "and", "jsc",          "llp",
      "lp",          "kk",      "ooo",       "oao",  "zao"};
  return k;
}

// Common words and places: they match often, so they count less.
double TokenWeight(const std::string& t) {
  static const std::set<std::string> generic = {
      "technology",  "technologies", "tech",       "information", "intelligent",   "electronic",
      "electronics", "industry",     "industrial", "development", "international", "holding",
      "holdings",    "group",        "science",    "sciences",    "trading",       "integrated",
      "circuit",     "circuits",     "system",     "systems",     "network",       "networks",
      "software",    "computing",    "data",       "services",    "service",       "digital"};
  static const std::set<std::string> places = {
      "beijing", "shanghai", "shenzhen",  "hangzhou", "guangzhou", "suzhou",  "nanjing", "chengdu",
      "wuxi",    "tianjin",  "hefei",     "xian",     "hong",      "kong",    "china",   "chinese",
      "kunshan", "taiwan",   "singapore", "anhui",    "henan",     "jiangsu", "zhejiang"};
  if (generic.count(t) != 0) return 0.3;
  if (places.count(t) != 0) return 0.5;
  return 1.0;
}

double TokenScore(const std::string& a, const std::string& b) {
  if (a == b) return 1.0;
  const double jw = JaroWinkler(a, b);
  return jw >= 0.85 ? jw : 0.0;
}

double Coverage(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  double num = 0, den = 0;
  for (const std::string& t : a) {
    const double w = TokenWeight(t);
    double best = 0;
    for (const std::string& u : b) best = std::max(best, TokenScore(t, u));
    num += w * best;
    den += w;
  }
  return den > 0 ? num / den : 0;
}

std::string Joined(const std::vector<std::string>& t) {
  std::string out;
  for (const std::string& s : t) out += s;
  return out;
}

// CSV -------------------------------------------------------------------------------------------

struct CsvRow {
  std::vector<std::string> fields;
  int line = 0;
};

// RFC 4180: comma-separated, fields in double quotes may hold commas, newlines and "" for ".
Result<std::vector<CsvRow>> SplitCsv(std::string_view text, const std::string& name) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  bool quoted = false, field_started = false;
  int line = 1, row_line = 1, quote_line = 0;
  std::size_t i = 0;
  auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_row = [&] {
    end_field();
    const bool blank = row.fields.size() == 1 && row.fields[0].empty();
    if (!blank) {
      row.line = row_line;
      rows.push_back(std::move(row));
    }
    row = CsvRow();
  };
  while (i < text.size()) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        ++i;
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
          return MakeError(ErrorCode::kParse,
                           "expected ',' or the end of the line after a closing quote",
                           SourceLocation{name, line, 1});
        continue;
      }
      if (c == '\n') ++line;
      field += c;
      ++i;
      continue;
    }
    if (c == '"' && !field_started && field.empty()) {
      quoted = true;
      field_started = true;
      quote_line = line;
      ++i;
      continue;
    }
    if (c == ',') {
      end_field();
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      end_row();
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++i;
      ++line;
      row_line = line;
      continue;
    }
    field += c;
    field_started = true;
    ++i;
  }
  if (quoted)
    return MakeError(ErrorCode::kParse, "a quoted field is not closed",
                     SourceLocation{name, quote_line, 1});
  if (field_started || !field.empty() || !row.fields.empty()) end_row();
  return rows;
}

// The columns of the CSL CSV download (and the keys of its JSON records).
const std::vector<std::string>& CslColumns() {
  static const std::vector<std::string> k = {"_id",
                                             "source",
                                             "entity_number",
                                             "type",
                                             "programs",
                                             "name",
                                             "title",
                                             "addresses",
                                             "federal_register_notice",
                                             "start_date",
                                             "end_date",
                                             "standard_order",
                                             "license_requirement",
                                             "license_policy",
                                             "call_sign",
                                             "vessel_type",
                                             "gross_tonnage",
                                             "gross_registered_tonnage",
                                             "vessel_flag",
                                             "vessel_owner",
                                             "remarks",
                                             "source_list_url",
                                             "alt_names",
                                             "citizenships",
                                             "dates_of_birth",
                                             "nationalities",
                                             "places_of_birth",
                                             "source_information_url",
                                             "ids"};
  return k;
}

std::string Suggest(const std::string& got, const std::vector<std::string>& known) {
  std::string best;
  int best_d = 4;
  for (const std::string& k : known) {
    const int d = EditDistance(got, k);
    if (d < best_d) best_d = d, best = k;
  }
  return best.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", best);
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> SplitAliases(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto semi = text.find(';', start);
    const std::string part =
        Trim(text.substr(start, semi == std::string_view::npos ? text.npos : semi - start));
    if (!part.empty()) out.push_back(part);
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  return out;
}

bool IsEntityList(const std::string& source) {
  return source == "EL" || source.find("Entity List") != std::string::npos;
}

// Fills the derived fields of a row read from a user list.
void Finish(ListedParty* p) {
  p->entity_list = IsEntityList(p->list);
  p->policy = PolicyFromText(p->policy_text);
  p->tokens.clear();
  p->tokens.push_back(NameTokens(p->name));
  for (const std::string& a : p->aliases) p->tokens.push_back(NameTokens(a));
}

// "2023-10-17" or the date part of "2023-10-17T00:00:00"; empty is no date.
Result<std::optional<Date>> CslDate(const std::string& text) {
  const std::string t = Trim(text);
  if (t.empty()) return std::optional<Date>();
  auto d = ParseDate(t.substr(0, std::min<std::size_t>(t.size(), 10)));
  if (!d.ok() || (t.size() > 10 && t[10] != 'T' && t[10] != ' '))
    return MakeError(ErrorCode::kSchema, fmt::format("expected a date YYYY-MM-DD, got \"{}\"", t));
  return std::optional<Date>(*d);
}

}  // namespace

std::vector<std::string> NameTokens(std::string_view name) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty() && LegalForms().count(cur) == 0) out.push_back(cur);
    cur.clear();
  };
  for (char ch : name) {
    const auto u = static_cast<unsigned char>(ch);
    if (u >= 0x80 || std::isalnum(u)) {
      cur += static_cast<char>(u >= 0x80 ? ch : std::tolower(u));
    } else if (ch == '\'') {
      continue;  // "Xi'an" -> "xian"
    } else {
      flush();
    }
  }
  flush();
  return out;
}

bool HasNonLatinLetters(std::string_view name) {
  for (std::size_t i = 0; i < name.size();) {
    const auto b0 = static_cast<unsigned char>(name[i]);
    // Decode one UTF-8 sequence; a malformed one is skipped byte by byte (not a letter).
    const std::size_t n = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3
                                         : (b0 >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > name.size()) {
      ++i;
      continue;
    }
    char32_t cp = n == 1 ? b0 : n == 2 ? (b0 & 0x1Fu) : n == 3 ? (b0 & 0x0Fu) : (b0 & 0x07u);
    bool ok = true;
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(name[i + k]);
      ok = ok && (b >> 6) == 0x2;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if (!ok) {
      ++i;
      continue;
    }
    i += n;
    const bool latin = cp < 0x2B0 || (cp >= 0x1E00 && cp <= 0x1EFF);  // incl. IPA, Latin Ext.
    const bool neutral = (cp >= 0x2B0 && cp <= 0x36F) ||      // modifiers, combining marks
                         (cp >= 0x2000 && cp <= 0x20CF) ||    // punctuation, currency
                         (cp >= 0xFE00 && cp <= 0xFE0F) ||    // variation selectors
                         cp == 0xFEFF;                        // byte-order mark
    if (!latin && !neutral) return true;
  }
  return false;
}

double JaroWinkler(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  const std::size_t window =
      std::max<std::size_t>(a.size(), b.size()) / 2 > 0 ? std::max(a.size(), b.size()) / 2 - 1 : 0;
  std::vector<bool> am(a.size(), false), bm(b.size(), false);
  std::size_t matches = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::size_t lo = i > window ? i - window : 0;
    const std::size_t hi = std::min(b.size(), i + window + 1);
    for (std::size_t j = lo; j < hi; ++j) {
      if (bm[j] || a[i] != b[j]) continue;
      am[i] = bm[j] = true;
      ++matches;
      break;
    }
  }
  if (matches == 0) return 0.0;
  std::size_t transpositions = 0, k = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!am[i]) continue;
    while (!bm[k]) ++k;
    if (a[i] != b[k]) ++transpositions;
    ++k;
  }
  const double m = static_cast<double>(matches);
  const double jaro = (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) +
                       (m - static_cast<double>(transpositions) / 2.0) / m) /
                      3.0;
  std::size_t prefix = 0;
  while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  return jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro);
}

double NameSimilarity(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) return 0.0;
  if (a == b) return 1.0;
  const double ab = Coverage(a, b), ba = Coverage(b, a);
  const double tokens = 0.6 * std::max(ab, ba) + 0.4 * std::min(ab, ba);
  // The same letters split differently ("MooreThreads", "Moore Threads").
  const double jw = JaroWinkler(Joined(a), Joined(b));
  const double joined = jw >= 0.92 ? 0.97 * jw : 0.0;
  return std::min(1.0, std::max(tokens, joined));
}

Result<ScreeningList> ScreeningList::Parse(std::string_view text, std::string display_name) {
  std::string_view t = text;
  if (t.size() >= 3 && t.substr(0, 3) == "\xEF\xBB\xBF") t.remove_prefix(3);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  if (t.empty())
    return MakeError(ErrorCode::kParse, "the screening list is empty",
                     SourceLocation{display_name, 0, 0});
  if (t.front() == '{' || t.front() == '[') return ParseJson(text, std::move(display_name));
  return ParseCsv(text, std::move(display_name));
}

Result<ScreeningList> ScreeningList::ParseCsv(std::string_view text, std::string display_name) {
  ScreeningList out;
  out.name_ = display_name;
  out.format_ = Format::kCsv;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  ASSIGN_OR_RETURN(std::vector<CsvRow> rows, SplitCsv(text, display_name));
  if (rows.empty())
    return MakeError(ErrorCode::kParse, "the screening list is empty",
                     SourceLocation{display_name, 0, 0});
  const CsvRow& header = rows.front();
  std::vector<int> col;  // index into CslColumns() per field
  std::set<std::string> seen;
  int column = 1;
  for (const std::string& raw : header.fields) {
    const std::string h = Trim(raw);
    const auto& known = CslColumns();
    auto it = std::find(known.begin(), known.end(), h);
    if (it == known.end())
      return MakeError(ErrorCode::kSchema,
                       fmt::format("unknown column \"{}\"{}; the header must use the Consolidated "
                                   "Screening List column names",
                                   h, Suggest(h, known)),
                       SourceLocation{display_name, header.line, column});
    if (!seen.insert(h).second)
      return MakeError(ErrorCode::kSchema, fmt::format("column \"{}\" appears twice", h),
                       SourceLocation{display_name, header.line, column});
    col.push_back(static_cast<int>(it - known.begin()));
    column += static_cast<int>(raw.size()) + 1;
  }
  for (const char* required : {"name", "source"})
    if (seen.count(required) == 0)
      return MakeError(ErrorCode::kSchema,
                       fmt::format("missing column \"{}\" (the header needs at least name and "
                                   "source)",
                                   required),
                       SourceLocation{display_name, header.line, 1});
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    const SourceLocation here{display_name, row.line, 1};
    if (row.fields.size() != header.fields.size())
      return MakeError(ErrorCode::kSchema,
                       fmt::format("row has {} fields, the header has {}", row.fields.size(),
                                   header.fields.size()),
                       here);
    ListedParty p;
    p.origin = here.ToString();
    for (std::size_t f = 0; f < row.fields.size(); ++f) {
      const std::string& key = CslColumns()[static_cast<std::size_t>(col[f])];
      const std::string v = Trim(row.fields[f]);
      if (key == "name")
        p.name = v;
      else if (key == "source")
        p.list = v;
      else if (key == "alt_names")
        p.aliases = SplitAliases(v);
      else if (key == "addresses")
        p.country = v;
      else if (key == "federal_register_notice")
        p.citation = v;
      else if (key == "license_requirement")
        p.license_requirement = v;
      else if (key == "license_policy")
        p.policy_text = v;
      else if (key == "remarks")
        p.note = v;
      else if (key == "start_date" || key == "end_date") {
        auto d = CslDate(v);
        if (!d.ok()) {
          Error e = d.error();
          e.message = key + ": " + e.message;
          e.location = here;
          return e;
        }
        (key == "start_date" ? p.listed : p.removed) = *d;
      }
    }
    if (NameTokens(p.name).empty())
      return MakeError(ErrorCode::kSchema, "name: must not be empty", here);
    if (p.list.empty()) return MakeError(ErrorCode::kSchema, "source: must not be empty", here);
    Finish(&p);
    out.parties_.push_back(std::move(p));
  }
  return out;
}

Result<ScreeningList> ScreeningList::ParseJson(std::string_view text, std::string display_name) {
  using nlohmann::json;
  ScreeningList out;
  out.name_ = display_name;
  out.format_ = Format::kJson;
  json doc;
  // The one place a JSON parse error (an exception in nlohmann) becomes an Error.
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    int line = 1, column = 1;
    const std::size_t pos = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    for (std::size_t i = 0; i < pos; ++i) {
      if (text[i] == '\n')
        ++line, column = 1;
      else
        ++column;
    }
    return MakeError(ErrorCode::kParse, "invalid JSON: the text is not well-formed here",
                     SourceLocation{display_name, line, column});
  }
  const json* rows = &doc;
  std::string prefix;
  if (doc.is_object()) {
    for (const auto& [key, value] : doc.items())
      if (key != "results" && key != "total" && key != "sources" && key != "sources_used" &&
          key != "search_performed_at")
        return MakeError(ErrorCode::kSchema,
                         fmt::format("{}: unknown key; a list holds \"results\"", key),
                         SourceLocation{display_name, 0, 0});
    if (!doc.contains("results"))
      return MakeError(ErrorCode::kSchema, "missing key \"results\" (the list of parties)",
                       SourceLocation{display_name, 0, 0});
    rows = &doc["results"];
    prefix = "results";
  }
  if (!rows->is_array())
    return MakeError(
        ErrorCode::kSchema,
        fmt::format("{}expected an array of parties", prefix.empty() ? "" : prefix + ": "),
        SourceLocation{display_name, 0, 0});
  auto err = [&](std::size_t i, const std::string& key, const std::string& msg) {
    return MakeError(ErrorCode::kSchema,
                     fmt::format("{}[{}]{}: {}", prefix, i, key.empty() ? "" : "." + key, msg),
                     SourceLocation{display_name, 0, 0});
  };
  std::vector<std::string> keys = CslColumns();
  keys.push_back("id");
  keys.push_back("country");
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const json& r = (*rows)[i];
    if (!r.is_object()) return err(i, "", "expected an object");
    ListedParty p;
    p.origin = fmt::format("{}: {}[{}]", display_name, prefix, i);
    for (const auto& item : r.items()) {
      // Named copies: clang 14 cannot capture structured bindings in the lambda below.
      const std::string key = item.key();
      const json& v = item.value();
      if (std::find(keys.begin(), keys.end(), key) == keys.end())
        return err(i, key, fmt::format("unknown key{}", Suggest(key, keys)));
      if (v.is_null()) continue;
      auto str = [&](std::string* dst) -> Status {
        if (!v.is_string()) return err(i, key, "expected a string");
        *dst = Trim(v.get<std::string>());
        return OkStatus();
      };
      if (key == "name") {
        RETURN_IF_ERROR(str(&p.name));
      } else if (key == "source") {
        RETURN_IF_ERROR(str(&p.list));
      } else if (key == "federal_register_notice") {
        RETURN_IF_ERROR(str(&p.citation));
      } else if (key == "license_requirement") {
        RETURN_IF_ERROR(str(&p.license_requirement));
      } else if (key == "license_policy") {
        RETURN_IF_ERROR(str(&p.policy_text));
      } else if (key == "remarks") {
        RETURN_IF_ERROR(str(&p.note));
      } else if (key == "alt_names") {
        if (v.is_string()) {
          p.aliases = SplitAliases(v.get<std::string>());
        } else if (v.is_array()) {
          for (const json& a : v) {
            if (!a.is_string()) return err(i, key, "expected strings");
            if (!Trim(a.get<std::string>()).empty())
              p.aliases.push_back(Trim(a.get<std::string>()));
          }
        } else {
          return err(i, key, "expected a list of names");
        }
      } else if (key == "addresses") {
        if (v.is_array()) {
          for (const json& a : v)
            if (a.is_object() && a.contains("country") && a["country"].is_string()) {
              p.country = a["country"].get<std::string>();
              break;
            }
        } else if (v.is_string()) {
          p.country = v.get<std::string>();
        }
      } else if (key == "country") {
        if (v.is_string()) p.country = v.get<std::string>();
      } else if (key == "start_date" || key == "end_date") {
        if (!v.is_string()) return err(i, key, "expected a date string YYYY-MM-DD");
        auto d = CslDate(v.get<std::string>());
        if (!d.ok()) return err(i, key, d.error().message);
        (key == "start_date" ? p.listed : p.removed) = *d;
      }
    }
    if (NameTokens(p.name).empty()) return err(i, "name", "expected a non-empty name");
    if (p.list.empty()) return err(i, "source", "expected the list the party is on");
    Finish(&p);
    out.parties_.push_back(std::move(p));
  }
  return out;
}

std::vector<ScreenHit> Screen(std::string_view name, const EntityDb& bundled,
                              const ScreeningList* user, Date date,
                              const ScreeningOptions& options) {
  std::vector<ScreenHit> out;
  const std::vector<std::string> q = NameTokens(name);
  if (q.empty()) return out;
  auto consider = [&](const ListedParty& p, bool from_user) {
    ScreenHit best;
    for (std::size_t k = 0; k < p.tokens.size(); ++k) {
      const double s = NameSimilarity(q, p.tokens[k]);
      if (s > best.score) {
        best.score = s;
        best.alias = k > 0;
        best.matched = k == 0 ? p.name : p.aliases[k - 1];
      }
    }
    if (!from_user && best.score < options.match)
      for (const std::vector<std::string>& words : p.tokens)
        if (!words.empty() && words[0].size() >= 4 && TokenWeight(words[0]) == 1.0 &&
            std::find(q.begin(), q.end(), words[0]) != q.end()) {
          best.shared_word = words[0];
          break;
        }
    if (best.score < options.possible && best.shared_word.empty()) return;
    best.party = &p;
    best.in_force = p.InForce(date);
    best.user_list = from_user;
    out.push_back(std::move(best));
  };
  for (const ListedParty* p : bundled.parties()) consider(*p, false);
  if (user != nullptr)
    for (const ListedParty& p : user->parties()) consider(p, true);
  std::stable_sort(out.begin(), out.end(),
                   [](const ScreenHit& a, const ScreenHit& b) { return a.score > b.score; });
  return out;
}

}  // namespace ceiling::rules
