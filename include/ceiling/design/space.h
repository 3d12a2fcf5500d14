// The design space of derivative chips: a base die plus knobs.
//
// A derivative is what NVIDIA did by hand to make the H20 from the H100: the same die with fewer
// enabled compute units, rate-limited tensor cores, a different memory configuration and a chosen
// number of scale-up links. The die area stays the base die's, so performance density falls as
// units are disabled. Every derivative is an ordinary `catalog::Chip` (with `derived_from`), so
// metrics, rules and the performance model apply to it unchanged.
//
//   ASSIGN_OR_RETURN(DesignSpace space, LoadDesignSpace("data/designs/gh100.toml", catalog));
//   DesignPoint p = space.PointAt(space.size() - 1);      // every knob at its last value
//   catalog::Chip chip = space.Build(p);                   // an ordinary chip record
//
// Knobs (ranges and steps from data/designs/*.toml, or DefaultDesignSpace for any catalog chip):
//   units        enabled compute units (SMs, CUs); scales every rate by units / base units
//   tensor_rate  fraction of the dense tensor rate kept per unit (rate limiting), 0 < r <= 1;
//                scales the tensor precisions (tf32 and below), not fp32/fp64 vector rates
//   memory       one of the memory configurations built on this die (capacity, bandwidth)
//   links        scale-up links x per-link bidirectional rate
//   market       datacenter or consumer (the 3A090 datacenter note depends on it)
//   tdp          the board power limit, a design choice (no power model is assumed)
// Errors: kSchema with file:line:col for malformed files; kInvalidArgument for empty ranges or
// a step that does not divide the range. Thread safety: immutable after load.
#ifndef CEILING_DESIGN_SPACE_H_
#define CEILING_DESIGN_SPACE_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ceiling/base/quantity.h"
#include "ceiling/base/result.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/catalog/chip.h"

namespace ceiling::design {

// Limits checked before anything is allocated from a design file (Validate and the loader): a
// knob has at most kMaxKnobValues values (a range whose step is too fine is an error, never a
// knob silently collapsed to its ends); units x tensor_rate, the compute axis the search holds
// in memory, at most kMaxComputeSteps; the whole grid at most kMaxDesignPoints (the search
// budget then bounds the work); enabled units at most kMaxUnits; links at most kMaxLinks.
inline constexpr std::size_t kMaxKnobValues = 100'000;
inline constexpr std::uint64_t kMaxComputeSteps = 4'000'000;
inline constexpr std::uint64_t kMaxDesignPoints = 1'000'000'000'000'000;
inline constexpr double kMaxUnits = 1e6;
inline constexpr std::int64_t kMaxLinks = 10'000;

struct MemoryOption {
  std::string type;
  Bytes capacity;
  BytesPerSecond bandwidth;
  std::string from;  // catalog product that has it ("" for a designer's option)
};

// Index of each knob's value; the design point's coordinates in the grid.
struct DesignPoint {
  int units = 0;
  int tensor_rate = 0;
  int memory = 0;
  int links = 0;
  int market = 0;
  int tdp = 0;
  bool operator==(const DesignPoint&) const = default;
};

// The concrete knob values of a point.
struct DesignValues {
  double units = 0;
  double tensor_rate = 1;
  const MemoryOption* memory = nullptr;
  int links = 0;
  catalog::Market market = catalog::Market::kDatacenter;
  Watts tdp;
};

class DesignSpace {
 public:
  std::string id;  // "gh100"
  std::string title;
  std::string file;                   // "" for a default space
  catalog::Chip base;                 // the reference chip whose rates are scaled
  std::vector<std::string> products;  // catalog chips on this die (ranges cover them)

  std::vector<double> units;         // ascending
  std::vector<double> tensor_rate;   // ascending, in (0, 1]
  std::vector<MemoryOption> memory;  // ascending bandwidth
  std::vector<int> links;            // ascending
  BytesPerSecond link_rate;          // per link, bidirectional
  std::vector<catalog::Market> markets;
  std::vector<Watts> tdp;  // ascending

  // Number of grid points (product of the knob sizes, saturating at UINT64_MAX).
  std::uint64_t size() const;
  // The point with linear index i (tdp fastest, then market, links, memory, tensor_rate, units).
  DesignPoint PointAt(std::uint64_t i) const;
  DesignValues ValuesOf(const DesignPoint& p) const;
  // A full chip record for the point: id "<base>-d<units>u<rate>..." and derived_from = base.
  catalog::Chip Build(const DesignPoint& p) const;
  // Rebuilds only the fields that depend on the point into `chip` (no allocation once sized);
  // `chip` must come from Build() of this space.
  void Rebuild(const DesignPoint& p, catalog::Chip* chip) const;
  // One line: "78 SM x 0.25 tensor, HBM3 96 GB 4 TB/s, 18 links (900 GB/s), datacenter, 400 W".
  std::string Describe(const DesignPoint& p) const;

  // Checks ranges: non-empty, ascending, in bounds, and the size limits above. Used by the loader
  // and DefaultDesignSpace; callers that edit a space's knobs call it again.
  Status Validate() const;
  // There is no power model, so a search would settle TDP ties on the lowest value. Searches
  // pin TDP to one value instead: the largest within `cap`, or without a cap the base chip's TDP
  // (the largest value when the base's is not a knob value). Errors (kInvalidArgument) when no
  // value is within the cap.
  Status PinTdp(std::optional<Watts> cap);
  // Keeps only derivatives marketed as `market`. Errors (kInvalidArgument) when the space has no
  // such market value.
  Status RestrictMarket(catalog::Market market);
};

// Loads a design file (format in docs/data-format.md). Products listed must exist in `cat` and
// be covered by the ranges (units, memory, links), else kInconsistent naming the product.
Result<DesignSpace> LoadDesignSpace(const std::filesystem::path& path, const catalog::Catalog& cat);
// The same from a parsed document, or from TOML text (`display_name` stands for the file).
Result<DesignSpace> ParseDesignSpace(const TomlTable& doc, const catalog::Catalog& cat);
Result<DesignSpace> ParseDesignSpaceText(std::string_view text, std::string display_name,
                                         const catalog::Catalog& cat);
// All design files under <data>/designs.
Result<std::vector<DesignSpace>> LoadDesignSpaces(const std::filesystem::path& data_dir,
                                                  const catalog::Catalog& cat);
// The space to search for a chip: the design file whose base it is, else one that lists it as a
// product (a derivative of the same die), else DefaultDesignSpace.
Result<DesignSpace> DesignSpaceFor(const std::filesystem::path& data_dir,
                                   const catalog::Catalog& cat, const catalog::Chip& chip);
// The same among spaces already loaded.
Result<DesignSpace> DesignSpaceFor(const std::vector<DesignSpace>& spaces,
                                   const catalog::Catalog& cat, const catalog::Chip& chip);
// A sensible space for any catalog chip: the base chip's own units (or 100 fractions of it), tensor
// rate 0.05..1, the memory configurations of catalog chips sharing its logic die, links 0..its
// own. Fails (kInvalidArgument) when the chip lacks the throughput or memory figures needed.
Result<DesignSpace> DefaultDesignSpace(const catalog::Chip& base, const catalog::Catalog& cat);

}  // namespace ceiling::design

#endif  // CEILING_DESIGN_SPACE_H_
