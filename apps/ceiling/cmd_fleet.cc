// fleet: what shipments add up to.
#include <fmt/format.h>

#include "ceiling/api/fleet_api.h"
#include "ceiling/api/operations.h"
#include "cli.h"

namespace ceiling::cli {

Runner SetupFleet(CLI::App* sub) {
  auto b = BindRequest<api::FleetRequest>(sub, {.positional = {"shipments"}});
  struct Out {
    bool json = false, csv = false;
    std::string svg;
  };
  auto out = std::make_shared<Out>();
  auto* json = sub->add_flag("--json", out->json, "JSON output");
  sub->add_flag("--csv", out->csv, "CSV output: one line per row")->excludes(json);
  sub->add_option("-o,--output", out->svg,
                  "Write the chart (cumulative H100-equivalents by chip family, SVG) here")
      ->check(NonEmpty());
  return [b, out](Context& ctx) -> int {
    ctx.flag_of["output"] = "-o";
    if (!out->svg.empty() && !out->svg.ends_with(".svg"))
      return ctx.Fail(FieldError(
          "output", fmt::format("the chart is SVG: give a file name ending in .svg, got \"{}\"",
                                out->svg)));
    if (auto st = CheckOutputPath(out->svg); !st.ok()) return ctx.Fail(st.error());
    int exit = 0;
    const unsigned parts = (b->request.throughput ? api::kModels | api::kPerf : 0u) |
                           (b->request.fleet.empty() ? 0u : unsigned{api::kFleets});
    auto kb = Prepare(ctx, *b, parts, &exit);
    if (!kb) return exit;
    auto r = api::Fleet(*kb, b->request);
    if (!r.ok()) return ctx.Fail(r.error());
    if (!out->svg.empty())
      if (auto st = WriteOutputs({{out->svg, api::ToSvg(*r)}}, ctx.out, &ctx.err); !st.ok())
        return ctx.Fail(st.error());
    return ctx.Print(out->json  ? api::DumpJsonText(api::ToJson(*r))
                     : out->csv ? api::ToCsv(*r)
                                : api::ToText(*r));
  };
}

}  // namespace ceiling::cli
