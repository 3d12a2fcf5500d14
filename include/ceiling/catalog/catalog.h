// Loading chip files and the catalog of all chips.
//
//   ASSIGN_OR_RETURN(Catalog cat, Catalog::Load("data"));        // reads data/chips/**.toml
//   const Chip* h20 = cat.Find("nvidia-h20");                    // nullptr if unknown
//   ASSIGN_OR_RETURN(const Chip* c, cat.Resolve("nvidia-h20"));  // or kNotFound, did you mean
//   ASSIGN_OR_RETURN(Chip mine, cat.ParseChipText(text, "my-part.toml"));  // a user's chip
//
// Loading is strict (see docs/data-format.md): unknown keys, missing required keys, bare numbers
// for dimensioned figures, wrong units, negative values, sparse-only throughput, undefined source
// keys and ids that do not match the file name are errors at file:line:col. A loaded Catalog is
// immutable; share it by const reference across threads.
#ifndef CEILING_CATALOG_CATALOG_H_
#define CEILING_CATALOG_CATALOG_H_

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ceiling/base/result.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/chip.h"
#include "ceiling/catalog/metrics.h"

namespace ceiling::catalog {

// Parses one chip file. `expected_id` (derived from the path under data/chips/<vendor>/) is
// checked when non-empty; a user's own file elsewhere is checked only for its own consistency.
Result<Chip> LoadChipFile(const std::filesystem::path& path, std::string display_name = "",
                          std::string_view expected_id = "");
Result<Chip> ParseChip(const TomlTable& doc, std::string_view expected_id = "");
// The same from TOML text; `display_name` stands for the file in diagnostics.
Result<Chip> ParseChipText(std::string_view text, std::string display_name,
                           std::string_view expected_id = "");
// "a -> b -> a" when following derived_from from chip `id` among `chips` comes back to a chip
// already visited; "" when the chain ends (at a chip without derived_from or an unknown id).
std::string DerivedFromCycle(const std::vector<Chip>& chips, std::string_view id);

// Every chip file under `chips_dir`, sorted by path, with a display name relative to the
// current directory when possible.
std::vector<std::filesystem::path> ListChipFiles(const std::filesystem::path& chips_dir);
std::string DisplayPath(const std::filesystem::path& p);
// "nvidia-h20" for data/chips/nvidia/h20.toml; "" for files outside a vendor folder.
std::string ExpectedIdForPath(const std::filesystem::path& p);

class Catalog {
 public:
  // Loads `<data_dir>/chips`. Fails at the first bad file or on duplicate ids / dangling
  // derived_from; `ceiling check-data` uses LoadAll to list every finding instead.
  static Result<Catalog> Load(const std::filesystem::path& data_dir);
  // Builds a catalog from records already in memory (tests, derivatives).
  static Result<Catalog> FromChips(std::vector<Chip> chips);

  const std::vector<Chip>& chips() const { return *chips_; }
  const Chip* Find(std::string_view id) const;
  // Precomputed metrics of chips()[i].
  const ChipMetrics& metrics(std::size_t i) const { return (*metrics_)[i]; }
  const ChipMetrics* MetricsOf(std::string_view id) const;
  // Up to `n` ids closest to `id` (edit distance, then shared prefix).
  std::vector<std::string> Suggest(std::string_view id, std::size_t n = 3) const;
  // A catalog id. Unknown ids fail with kNotFound and a "did you mean" list. Never reads a file.
  Result<const Chip*> Resolve(std::string_view id) const;
  // A user's own chip given as TOML text (`display_name` stands for the file in diagnostics),
  // checked like a catalog file and against the catalog (derived_from must name a catalog chip).
  Result<Chip> ParseChipText(std::string_view text, std::string display_name) const;

 private:
  std::shared_ptr<std::vector<Chip>> chips_;
  std::shared_ptr<std::vector<ChipMetrics>> metrics_;
  std::shared_ptr<std::unordered_map<std::string, std::size_t>> index_;
};

}  // namespace ceiling::catalog

#endif  // CEILING_CATALOG_CATALOG_H_
