// design, capability.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "ceiling/api/design_api.h"
#include "ceiling/api/operations.h"
#include "cli.h"

namespace ceiling::cli {

namespace {

constexpr unsigned kDesignParts = api::kModels | api::kPerf | api::kDesigns;

}  // namespace

Runner SetupDesign(CLI::App* sub) {
  auto b = BindRequest<api::DesignRequest>(sub, {.hidden = {"keep_candidates"}});
  struct Out {
    bool json = false;
    std::string svg, save;
  };
  auto out = std::make_shared<Out>();
  sub->add_flag("--json", out->json, "JSON output");
  sub->add_option("-o,--output", out->svg, "Write the Pareto front / design chart (SVG) here")
      ->check(NonEmpty());
  sub->add_option("--save", out->save, "Write the best design as a chip file (TOML) here")
      ->check(NonEmpty());
  return [b, out](Context& ctx) -> int {
    ctx.flag_of["output"] = "-o";
    if (!out->svg.empty() && !out->svg.ends_with(".svg"))
      return ctx.Fail(FieldError(
          "output", fmt::format("the chart is SVG: give a file name ending in .svg, got \"{}\"",
                                out->svg)));
    if (!out->save.empty() && !out->save.ends_with(".toml"))
      return ctx.Fail(FieldError(
          "save", fmt::format("the design is a chip file (TOML): give a file name ending in .toml, "
                              "got \"{}\"",
                              out->save)));
    for (const std::string* path : {&out->svg, &out->save})
      if (auto st = CheckOutputPath(*path); !st.ok()) return ctx.Fail(st.error());
    int exit = 0;
    auto kb = Prepare(ctx, *b, kDesignParts, &exit);
    if (!kb) return exit;
    b->request.keep_candidates = !out->svg.empty();
    api::CallOptions call;
    const bool tty = isatty(fileno(stderr)) != 0;
    if (tty)
      call.progress = [&ctx](std::uint64_t done, std::uint64_t total) {
        ctx.err << fmt::format("\r  searching: {} of about {} designs checked", done, total)
                << std::flush;
      };
    auto r = api::Design(*kb, b->request, call);
    if (tty) ctx.err << "\r" << std::string(60, ' ') << "\r" << std::flush;
    if (!r.ok()) return ctx.Fail(r.error());
    std::vector<std::pair<std::string, std::string>> files;
    if (!out->save.empty()) {
      auto toml = api::BestChipToml(*r);
      if (!toml.ok()) return ctx.Fail(FieldError("save", toml.error().message));
      files.emplace_back(out->save, *toml);
    }
    if (!out->svg.empty()) files.emplace_back(out->svg, api::ToSvg(*r));
    if (auto st = WriteOutputs(files, ctx.out, &ctx.err); !st.ok()) return ctx.Fail(st.error());
    return ctx.Print(out->json ? api::DumpJsonText(api::ToJson(*r)) : api::ToText(*r));
  };
}

Runner SetupCapability(CLI::App* sub) {
  auto b = BindRequest<api::CapabilityRequest>(sub, {.rename = {{"dates", "--date"}}});
  auto json = std::make_shared<bool>(false);
  sub->add_flag("--json", *json, "JSON output");
  return [b, json](Context& ctx) -> int {
    int exit = 0;
    auto kb = Prepare(ctx, *b, kDesignParts, &exit);
    if (!kb) return exit;
    auto r = api::Capability(*kb, b->request);
    if (!r.ok()) return ctx.Fail(r.error());
    return ctx.Print(*json ? api::DumpJsonText(api::ToJson(*r)) : api::ToText(*r));
  };
}

}  // namespace ceiling::cli
