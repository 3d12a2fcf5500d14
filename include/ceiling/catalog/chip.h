// The chip record: one AI accelerator as described by its cited data file.
//
// A `Chip` is a plain value. Every figure carries the keys of the sources it comes from, an
// optional note and, for derived figures, the formula. Unknown figures are absent
// (std::nullopt), never zero. Throughput is always dense (no structured sparsity).
//
//   const Chip& h20 = *catalog.Find("nvidia-h20");
//   if (auto& fp8 = h20.throughput[Index(Precision::kFp8)]) {
//     double tflops = fp8->value.In(1e12);       // 296
//   }
//
// Records are built by the loader (loader.h) or programmatically (the design search builds
// derivatives); both go through the same metrics and rules.
#ifndef CEILING_CATALOG_CHIP_H_
#define CEILING_CATALOG_CHIP_H_

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/quantity.h"
#include "ceiling/base/result.h"
#include "ceiling/base/source.h"

namespace ceiling::catalog {

// Another value for a figure, given by other sources (a disputed figure). Alternatives with the
// same label, across all figures of a chip, form one scenario: "what the record would say if
// that source were right" (see alternatives.h). Values are always dense rates.
template <typename T>
struct Alternative {
  T value{};
  std::vector<std::string> sources;  // keys into Chip::sources, at least one
  std::string label;                 // scenario name; defaults to the source keys joined by '+'
  std::string note;
  std::string formula;               // non-empty for derived values
  SourceLocation location;           // where the alternative is written
};

// A cited value.
template <typename T>
struct Figure {
  T value{};
  std::vector<std::string> sources;  // keys into Chip::sources, at least one
  std::string note;
  std::string formula;               // non-empty for derived figures
  std::optional<T> sparse;           // throughput only: the vendor's 2:4-sparse rate
  SourceLocation location;           // where the figure is written (empty for built records)
  std::vector<Alternative<T>> alternatives;  // other sources' values; empty when undisputed

  bool derived() const { return !formula.empty(); }
};

// Precisions of tensor/vector math, in the order they appear in tables.
enum class Precision { kFp64, kFp64Tensor, kFp32, kTf32, kFp16, kBf16, kFp8, kFp6, kFp4,
                       kInt16, kInt8, kInt4 };
inline constexpr std::size_t kPrecisionCount = 12;
constexpr std::size_t Index(Precision p) { return static_cast<std::size_t>(p); }
std::string_view PrecisionName(Precision p);           // "fp8", "fp64_tensor", ...
std::optional<Precision> PrecisionFromName(std::string_view name);
// The bit length of the operation's largest input, as 3A090 Technical Note 1.c counts it.
// TF32 is counted as 32 (its inputs are FP32 registers; conservative for export control).
int BitLength(Precision p);
bool IsInteger(Precision p);

enum class Market { kDatacenter, kConsumer, kWorkstation, kEdge };
std::string_view MarketName(Market m);
std::optional<Market> MarketFromName(std::string_view name);

enum class FormFactor { kSxm, kOam, kPcie, kModule, kSuperchip, kCard, kChip };
std::string_view FormFactorName(FormFactor f);
std::optional<FormFactor> FormFactorFromName(std::string_view name);

enum class DieKind { kLogic, kMemory };

struct Die {
  std::string name;
  DieKind kind = DieKind::kLogic;
  std::string process;
  bool non_planar = true;  // FinFET/GAA: only such logic dies count for performance density
  int count = 1;
  // Present when the count is written as a cited figure (`count = { value = 2, source = ... }`),
  // which it must be to carry alternatives (one or two compute dies); its value equals `count`.
  std::optional<Figure<double>> count_figure;
  std::optional<Figure<SquareMetres>> area;  // per die
  SourceLocation location;
};

struct Memory {
  std::string type;  // "HBM3", "GDDR6X", ...
  std::optional<Figure<Bytes>> capacity;
  std::optional<Figure<BytesPerSecond>> bandwidth;
  std::optional<Figure<double>> stacks;
};

struct Interconnect {
  std::optional<Figure<BytesPerSecond>> scale_up;      // chip-to-chip, bidirectional
  std::optional<Figure<double>> scale_up_links;
  std::optional<Figure<BytesPerSecond>> io_aggregate;  // 2022 rule's rate, when published
  std::optional<Figure<BytesPerSecond>> pcie;          // host link, bidirectional
};

struct Compute {
  std::optional<Figure<double>> units;  // enabled SMs / CUs / cores
  std::string unit_name;
  std::optional<Figure<Hertz>> boost_clock;
};

struct Chip {
  std::string id;
  std::string name;
  std::string vendor;
  std::string family;
  Market market = Market::kDatacenter;
  FormFactor form_factor = FormFactor::kPcie;
  std::optional<std::string> derived_from;
  std::optional<Figure<Date>> released;
  std::optional<Figure<Date>> announced;
  // First press report of a part known only from reports (no announcement, no datasheet).
  std::optional<Figure<Date>> first_reported;
  std::vector<Die> dies;
  std::array<std::optional<Figure<OpsPerSecond>>, kPrecisionCount> throughput;
  std::optional<Memory> memory;
  Interconnect interconnect;
  std::optional<Figure<Watts>> tdp;
  Compute compute;
  std::map<std::string, Source> sources;  // by key
  std::string file;                       // data file it was loaded from ("" if built)
  // Filled by the catalog for a derivative, not read from its file: the dense 16-bit tensor rate
  // per unit of fp32 vector rate of the nearest chip up its derived_from line that has both
  // figures (TensorPerVector). A die whose tensor cores are throttled shows a lower ratio of its
  // own; the performance model reads the difference (perf::Hardware::tensor_cap).
  std::optional<double> base_tensor_per_vector;

  const std::optional<Figure<OpsPerSecond>>& Rate(Precision p) const {
    return throughput[Index(p)];
  }
  // Convenience accessors; nullopt when unknown.
  std::optional<BytesPerSecond> MemoryBandwidth() const;
  std::optional<Bytes> MemoryCapacity() const;
};

// Dense bf16 (else fp16) tensor rate divided by the fp32 vector rate; nullopt unless both are
// recorded and positive. On one die both scale with the enabled units and the clock, so the ratio
// is the architecture's (14.8 on Hopper's SXM figures, 16 on the A100's).
std::optional<double> TensorPerVector(const Chip& chip);

}  // namespace ceiling::catalog

#endif  // CEILING_CATALOG_CHIP_H_
