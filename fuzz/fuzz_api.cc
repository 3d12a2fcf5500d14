// Request decoding, validation and running in process, over the API's operation table
// (api/operations.h), as `ceiling serve` does for a POST body.
//
// Input: "OPERATION\nBODY". OPERATION names an operation ("classify", "perf/serve"); a name that
// is not in the table picks one by its first byte. BODY is the JSON request body, guarded like
// the server guards it (at most 1 MiB, nesting at most 64) and parsed without exceptions; a body
// that does not parse is handed over as a JSON string, which every decoder must refuse.
//
// Properties: run() never crashes or throws; it answers within a short deadline (the stop token
// of CallOptions, 50 ms, which every search checks); a 200 answer of a JSON operation is one JSON
// document; an error is a request error (never kIo: a body names no file), one line, bounded,
// safe for a terminal, and its JSON form (ErrorJson, what the server sends) serializes.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "ceiling/api/knowledge_base.h"
#include "ceiling/api/operations.h"
#include "fuzz_common.h"

namespace {

const ceiling::api::KnowledgeBase& Kb() {
  static const auto* kb = [] {
    auto r = ceiling::api::KnowledgeBase::Load(CEILING_DATA_DIR);
    if (!r.ok()) ceiling::fuzz::Fail("bundled knowledge base does not load", r.error().ToString());
    return new std::shared_ptr<const ceiling::api::KnowledgeBase>(std::move(r).value());
  }();
  return **kb;
}


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ceiling;
  using nlohmann::json;
  const std::string_view text = fuzz::AsText(data, size);
  if (text.empty() || text.size() > (1u << 20)) return 0;
  const auto nl = text.find('\n');
  const std::string_view name = text.substr(0, nl == std::string_view::npos ? 0 : nl);
  const std::string_view body_text =
      nl == std::string_view::npos ? text.substr(1) : text.substr(nl + 1);
  const auto& ops = api::Operations();
  const api::Operation* op = api::FindOperation(name);
  if (op == nullptr) op = &ops[static_cast<unsigned char>(text[0]) % ops.size()];
  if (ceiling::api::JsonNestingDepth(body_text) > 64) return 0;  // the server answers 400 before parsing
  json body = json::parse(body_text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) body = json(std::string(body_text));

  api::CallOptions call;
  call.stop = StopToken::After(std::chrono::milliseconds(50));
  const auto start = std::chrono::steady_clock::now();
  const Result<std::string> r = op->run(Kb(), body, call);
  const auto took = std::chrono::steady_clock::now() - start;
  fuzz::Require(took < std::chrono::seconds(5), "an operation ran past its deadline by seconds",
                op->name);
  if (r.ok()) {
    if (op->content_type == "application/json")
      fuzz::Require(!json::parse(*r, nullptr, false).is_discarded(),
                    "a 200 answer is not one JSON document", r->substr(0, 2000));
    return 0;
  }
  fuzz::CheckDiagnostic(r.error());
  fuzz::Require(r.error().code != ErrorCode::kIo, "a request body led to an I/O error",
                r.error().ToString());
  // What the server sends: the error as JSON (dump throws on invalid UTF-8).
  (void)api::DumpJsonText(api::ErrorJson(r.error()));
  return 0;
}
