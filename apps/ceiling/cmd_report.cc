// report: a chip's dossier as one self-contained HTML file.
#include <fmt/format.h>

#include "ceiling/api/report_api.h"
#include "cli.h"

namespace ceiling::cli {

Runner SetupReport(CLI::App* sub) {
  auto b = BindRequest<api::ReportRequest>(sub, {.positional = {"chip"}});
  auto output = std::make_shared<std::string>();
  sub->add_option("-o,--output", *output, "Write the HTML here (default: standard output)")
      ->check(NonEmpty());
  return [b, output](Context& ctx) -> int {
    if (auto st = CheckOutputPath(*output); !st.ok()) return ctx.Fail(st.error());
    int exit = 0;
    auto kb = Prepare(ctx, *b, api::kAllParts & ~(api::kValidation | api::kFleets), &exit);
    if (!kb) return exit;
    ctx.flag_of["output"] = "-o";
    auto r = api::Report(*kb, b->request);
    if (!r.ok()) return ctx.Fail(r.error());
    const std::string html = api::ToHtml(*r);
    if (output->empty() || *output == "-") return ctx.Print(html);
    if (auto st = WriteOutputs({{*output, html}}, ctx.out, &ctx.err); !st.ok())
      return ctx.Fail(st.error());
    return kExitOk;
  };
}

}  // namespace ceiling::cli
