// chips, show, check-data, index.
#include "ceiling/api/catalog_api.h"
#include "ceiling/api/index_api.h"
#include "ceiling/api/operations.h"
#include "cli.h"

namespace ceiling::cli {

Runner SetupChips(CLI::App* sub) {
  auto b = BindRequest<api::ChipsRequest>(sub, {});
  auto fmt = std::make_shared<std::pair<bool, bool>>();
  auto* json = sub->add_flag("--json", fmt->first, "JSON output");
  sub->add_flag("--csv", fmt->second, "CSV output")->excludes(json);
  return [b, fmt](Context& ctx) -> int {
    int exit = 0;
    auto kb = Prepare(ctx, *b, 0, &exit);
    if (!kb) return exit;
    auto r = api::Chips(*kb, b->request);
    if (!r.ok()) return ctx.Fail(r.error());
    return ctx.Print(fmt->first    ? api::DumpJsonText(api::ToJson(*r))
                     : fmt->second ? api::ToCsv(*r)
                                   : api::ToText(*r));
  };
}

Runner SetupShow(CLI::App* sub) {
  auto b = BindRequest<api::ShowRequest>(sub, {.positional = {"chip"}});
  auto json = std::make_shared<bool>(false);
  sub->add_flag("--json", *json, "JSON output");
  return [b, json](Context& ctx) -> int {
    int exit = 0;
    auto kb = Prepare(ctx, *b, 0, &exit);
    if (!kb) return exit;
    auto r = api::Show(*kb, b->request);
    if (!r.ok()) return ctx.Fail(r.error());
    return ctx.Print(*json ? api::DumpJsonText(api::ToJson(*r)) : api::ToText(*r));
  };
}

Runner SetupCheckData(CLI::App* sub) {
  auto quiet = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  sub->add_flag("-q,--quiet", *quiet, "Print findings only");
  sub->add_flag("--json", *json, "JSON output");
  return [quiet, json](Context& ctx) -> int {
    const api::CheckDataResponse r = api::CheckData(ctx.data_dir, {});
    const int printed =
        ctx.Print(*json ? api::DumpJsonText(api::ToJson(r)) : api::ToText(r, *quiet));
    if (printed != kExitOk) return printed;
    return r.ok() ? kExitOk : kExitCheckFailed;
  };
}

Runner SetupIndex(CLI::App* sub) {
  auto b = BindRequest<api::IndexRequest>(sub, {});
  auto json = std::make_shared<bool>(false);
  sub->add_flag("--json", *json, "JSON output");
  return [b, json](Context& ctx) -> int {
    int exit = 0;
    auto kb = Prepare(ctx, *b, api::kAllParts & ~api::kValidation, &exit);
    if (!kb) return exit;
    auto r = api::Index(*kb, b->request);
    if (!r.ok()) return ctx.Fail(r.error());
    return ctx.Print(*json ? api::DumpJsonText(api::ToJson(*r)) : api::ToText(*r));
  };
}

}  // namespace ceiling::cli
