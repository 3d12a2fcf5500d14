#include "ceiling/rules/check.h"

#include <fmt/format.h>

#include <algorithm>

#include "ceiling/base/file.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/rules/countries.h"
#include "ceiling/rules/entities.h"
#include "ceiling/rules/imports.h"
#include "ceiling/rules/rule.h"
#include "ceiling/rules/rulebook.h"

namespace ceiling::rules {
namespace {

namespace fs = std::filesystem;

void Add(catalog::FolderCheck* c, const Error& e) {
  c->findings.push_back({e.location, e.message});
}

void IdMatchesFile(catalog::FolderCheck* c, const std::string& id, const fs::path& f) {
  if (id != f.stem().string())
    c->findings.push_back({SourceLocation{catalog::DisplayPath(f), 1, 1},
                           fmt::format("id: \"{}\" does not match the file name (expected \"{}\")",
                                       id, f.stem().string())});
}

}  // namespace

catalog::FolderCheck CheckCountriesDir(const fs::path& data_dir) {
  catalog::FolderCheck c;
  c.folder = "countries";
  const fs::path dir = data_dir / "countries";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    c.present = false;
    return c;
  }
  c.files = static_cast<int>(FilesIn(dir, {".toml"}).size());
  // Groups may be defined in terms of one another, so the folder loads as a whole; its loader
  // stops at the first bad file.
  auto db = CountryDb::Load(dir);
  if (!db.ok()) Add(&c, db.error());
  return c;
}

catalog::FolderCheck CheckRulesDir(const fs::path& data_dir, const catalog::Catalog* catalog) {
  catalog::FolderCheck c;
  c.folder = "rules";
  const fs::path dir = data_dir / "rules";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    c.present = false;
    return c;
  }
  auto countries = CountryDb::Load(data_dir / "countries");
  if (!countries.ok()) {
    // Reported by CheckCountriesDir; rule files cannot be read without the groups.
    return c;
  }
  std::vector<RuleVersion> rules;
  for (const fs::path& f : FilesIn(dir, {".toml"})) {
    ++c.files;
    const std::string name = catalog::DisplayPath(f);
    auto r = LoadRuleFile(f, *countries, name);
    if (!r.ok()) {
      Add(&c, r.error());
      continue;
    }
    if (r->id != f.stem().string()) {
      c.findings.push_back({r->location, fmt::format("id: \"{}\" does not match the file name "
                                                     "(expected \"{}\")",
                                                     r->id, f.stem().string())});
      continue;
    }
    rules.push_back(std::move(r).value());
  }
  if (rules.empty()) {
    if (c.files == 0)
      c.findings.push_back({SourceLocation{catalog::DisplayPath(dir), 0, 0}, "no rule files"});
    return c;
  }
  auto book = RuleBook::Build(std::move(countries).value(), std::move(rules));
  if (!book.ok()) {
    Add(&c, book.error());
    return c;
  }
  if (catalog != nullptr)
    for (const Error& e : book->CheckAgainstCatalog(*catalog)) Add(&c, e);
  return c;
}

catalog::FolderCheck CheckEntitiesDir(const fs::path& data_dir) {
  catalog::FolderCheck c;
  c.folder = "entities";
  const fs::path dir = data_dir / "entities";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    c.present = false;
    return c;
  }
  for (const fs::path& f : FilesIn(dir, {".toml"})) {
    ++c.files;
    EntityDb one;  // each file on its own, so one bad notice does not hide the next
    if (Status st = one.AddFile(f, catalog::DisplayPath(f)); !st.ok()) {
      Add(&c, st.error());
      continue;
    }
    auto doc = TomlTable::ParseFile(f, catalog::DisplayPath(f));
    if (auto id = doc.ok() ? doc->GetString("id") : Result<std::string>(doc.error()); id.ok())
      IdMatchesFile(&c, *id, f);
  }
  return c;
}

catalog::FolderCheck CheckImportDir(const fs::path& data_dir) {
  catalog::FolderCheck c;
  c.folder = "import";
  const fs::path dir = data_dir / "import";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    c.present = false;
    return c;
  }
  auto countries = CountryDb::Load(data_dir / "countries");
  if (!countries.ok()) return c;  // reported by CheckCountriesDir
  for (const fs::path& f : FilesIn(dir, {".toml"})) {
    ++c.files;
    ImportDb one;
    if (Status st = one.AddFile(f, *countries, catalog::DisplayPath(f)); !st.ok()) {
      Add(&c, st.error());
      continue;
    }
    IdMatchesFile(&c, one.measures().back().id, f);
  }
  return c;
}

}  // namespace ceiling::rules
