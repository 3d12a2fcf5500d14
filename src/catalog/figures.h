// Private: one walk over every cited figure of a chip record, shared by the checker, the
// scenario builder and the writer so that a new figure cannot be forgotten by one of them.
#ifndef CEILING_SRC_CATALOG_FIGURES_H_
#define CEILING_SRC_CATALOG_FIGURES_H_

#include <string>

#include "ceiling/catalog/chip.h"

namespace ceiling::catalog {

// Calls f(name, figure) for every optional figure of `c` (present or not), in file order.
// `ChipT` is Chip or const Chip; `f` takes (const std::string&, std::optional<Figure<T>>&) for
// every T. Names are paths a reader can find: "throughput.fp16", "dies[GH100].area".
template <typename ChipT, typename F>
void VisitFigures(ChipT& c, F&& f) {
  f(std::string("released"), c.released);
  f(std::string("announced"), c.announced);
  f(std::string("first_reported"), c.first_reported);
  for (auto& d : c.dies) {
    f("dies[" + d.name + "].count", d.count_figure);
    f("dies[" + d.name + "].area", d.area);
  }
  for (std::size_t i = 0; i < kPrecisionCount; ++i)
    f("throughput." + std::string(PrecisionName(static_cast<Precision>(i))), c.throughput[i]);
  if (c.memory) {
    f(std::string("memory.capacity"), c.memory->capacity);
    f(std::string("memory.bandwidth"), c.memory->bandwidth);
    f(std::string("memory.stacks"), c.memory->stacks);
  }
  f(std::string("interconnect.scale_up"), c.interconnect.scale_up);
  f(std::string("interconnect.scale_up_links"), c.interconnect.scale_up_links);
  f(std::string("interconnect.io_aggregate"), c.interconnect.io_aggregate);
  f(std::string("interconnect.pcie"), c.interconnect.pcie);
  f(std::string("power.tdp"), c.tdp);
  f(std::string("compute.units"), c.compute.units);
  f(std::string("compute.boost_clock"), c.compute.boost_clock);
}

}  // namespace ceiling::catalog

#endif  // CEILING_SRC_CATALOG_FIGURES_H_
