// Design spaces from text against the bundled catalog; a space that loads is within the size
// limits, builds its first and last designs, and survives a small budgeted search.
#include "ceiling/design/search.h"
#include "ceiling/design/space.h"
#include "fuzz_common.h"

namespace {

class Toy : public ceiling::design::Evaluator {
 public:
  bool Feasible(const ceiling::catalog::Chip&, const ceiling::catalog::ChipMetrics& m,
                ceiling::design::Binding* binding) const override {
    if (m.tpp() && *m.tpp() >= 4800) {
      *binding = {ceiling::design::Binding::Kind::kNoClause, nullptr};
      return false;
    }
    return true;
  }
  int objective_count() const override { return 2; }
  void Objectives(const ceiling::catalog::Chip&, const ceiling::catalog::ChipMetrics& m,
                  double* out) const override {
    out[0] = m.tpp().value_or(0);
    out[1] = m.pd().value_or(0);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ceiling;
  auto space =
      design::ParseDesignSpaceText(fuzz::AsText(data, size), "fuzz.toml", fuzz::Data().chips);
  if (!space.ok()) {
    fuzz::CheckDiagnostic(space.error());
    return 0;
  }
  fuzz::Require(space->Validate().ok(), "a loaded space fails Validate");
  fuzz::Require(space->size() >= 1 && space->size() <= design::kMaxDesignPoints, "space size");
  (void)space->Build(space->PointAt(0));
  (void)space->Describe(space->PointAt(space->size() - 1));
  design::SearchOptions opt;
  opt.budget = 64;
  opt.threads = 1;
  opt.keep_candidates = true;
  Toy toy;
  const design::SearchResult r = design::Search(*space, toy, opt);
  fuzz::Require(r.evaluated <= 64 + 64, "the search overran its budget");
  return 0;
}
