// _ceiling: the compiled half of the `ceiling` Python package, an adapter over the api module.
//
//   kb, err = _ceiling.KnowledgeBase.load("/path/to/data")
//   err, text = kb.run("classify", '{"chip": "nvidia-h20", ...}', deadline=None,
//                      interruptible=False)
//
// It holds no domain logic: a request body (JSON text built by the Python layer from keyword
// arguments) goes through the operation table (api/operations.h) and the answer comes back as
// the exact JSON text the CLI prints with --json. Errors come back as values, a tuple
// (code, field, message, location), and the Python layer raises ceiling.InputError and its
// siblings from them, so that no C++ exception type leaks into Python. The engine runs with the
// GIL released; a call marked interruptible runs on a helper thread while this thread watches for
// Ctrl-C (KeyboardInterrupt stops the search through the call's StopToken).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ceiling/api/bulk_api.h"
#include "ceiling/api/knowledge_base.h"
#include "ceiling/api/operations.h"
#include "ceiling/base/executor.h"

#ifndef CEILING_DATA_DIR
#define CEILING_DATA_DIR ""
#endif
#ifndef CEILING_VERSION
#define CEILING_VERSION "0.0.0"
#endif

namespace py = pybind11;

namespace ceiling::python {
namespace {

using api::KnowledgeBase;

py::tuple ErrorTuple(const Error& e) {
  return py::make_tuple(
      std::string(ErrorCodeName(e.code)), e.field, e.message,
      e.location.known() ? py::object(py::str(e.location.ToString())) : py::object(py::none()));
}

py::tuple Failure(const Error& e) { return py::make_tuple(ErrorTuple(e), py::none()); }

template <class T>
py::tuple Success(T&& value) {
  return py::make_tuple(py::none(), std::forward<T>(value));
}

// A deadline in seconds (validated by the Python layer: finite and > 0) as a stop token that can
// also be stopped by hand (KeyboardInterrupt).
StopToken TokenFor(std::optional<double> deadline) {
  if (!deadline) return StopToken::Manual();
  const auto d = std::chrono::duration<double>(*deadline);
  return StopToken::At(StopToken::Clock::now() +
                       std::chrono::duration_cast<StopToken::Clock::duration>(d));
}

// Runs `work` without the GIL. Interruptible: on a helper thread, waking every 100 ms to let
// Python check for signals; on KeyboardInterrupt the token is stopped, the work is waited for,
// and the Python error propagates.
template <class Work>
auto RunReleased(Work work, const StopToken& stop, bool interruptible) -> decltype(work()) {
  using R = decltype(work());
  std::optional<R> out;
  if (!interruptible) {
    py::gil_scoped_release release;
    out.emplace(work());
    return std::move(*out);
  }
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread worker([&] {
    R r = work();
    std::lock_guard lock(mu);
    out.emplace(std::move(r));
    done = true;
    cv.notify_all();
  });
  for (;;) {
    {
      py::gil_scoped_release release;
      std::unique_lock lock(mu);
      if (cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) break;
    }
    if (PyErr_CheckSignals() != 0) {
      stop.Stop();
      {
        py::gil_scoped_release release;
        worker.join();
      }
      throw py::error_already_set();
    }
  }
  {
    py::gil_scoped_release release;
    worker.join();
  }
  return std::move(*out);
}

class PyKnowledgeBase {
 public:
  explicit PyKnowledgeBase(std::shared_ptr<const KnowledgeBase> kb) : kb_(std::move(kb)) {}

  static py::tuple Load(const std::string& data_dir) {
    Result<std::shared_ptr<const KnowledgeBase>> kb = [&] {
      py::gil_scoped_release release;
      return KnowledgeBase::Load(data_dir);
    }();
    if (!kb.ok()) return Failure(kb.error());
    return Success(PyKnowledgeBase(*kb));
  }

  std::string data_dir() const { return kb_->data_dir().string(); }
  std::string VersionJson() const { return api::DumpJsonText(api::VersionJson(*kb_)); }
  std::string OpenApiJson() const { return api::DumpJsonText(api::OpenApiDocument(*kb_)); }

  py::tuple Run(const std::string& name, const std::string& body_text,
                std::optional<double> deadline, bool interruptible) const {
    const api::Operation* op = api::FindOperation(name);
    if (op == nullptr)
      return Failure(MakeError(ErrorCode::kNotFound, "unknown operation \"" + name + "\""));
    nlohmann::json body = nlohmann::json::parse(body_text, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded())
      return Failure(MakeError(ErrorCode::kParse, "the request body is not valid JSON"));
    api::CallOptions call;
    call.stop = TokenFor(deadline);
    std::shared_ptr<const KnowledgeBase> kb = kb_;
    Result<std::string> r =
        RunReleased([&] { return op->run(*kb, body, call); }, call.stop, interruptible);
    if (!r.ok()) return Failure(r.error());
    return Success(py::str(*r));
  }

  // The bulk path: interned columns in, the outcome table (JSON text) and the per-row outcome
  // indices (an Int32Array) out.
  py::tuple ClassifyMany(std::vector<std::string> chip_values, const py::buffer& chip_codes,
                         std::vector<std::string> date_values, const py::buffer& date_codes,
                         std::vector<std::string> to_values, const py::buffer& to_codes,
                         std::vector<std::string> hq_values, const py::object& hq_codes,
                         const std::string& options_json, std::optional<double> deadline) const;

 private:
  std::shared_ptr<const KnowledgeBase> kb_;
};

// An owned vector of int32 exposed through the buffer protocol, so that numpy.frombuffer (or
// memoryview) reads the per-row outcome indices without a copy.
struct Int32Array {
  std::vector<std::int32_t> data;
};

// A one-dimensional contiguous int32 buffer, or a field error.
Result<std::span<const std::int32_t>> Codes(const py::buffer& b, const char* field,
                                            std::vector<py::buffer_info>* keep) {
  py::buffer_info info = b.request();
  const std::string& f = info.format;
  const bool int32 = info.itemsize == 4 && (f == "i" || f == "=i" || f == "<i" || f == "@i" ||
                                            (f == "l" && sizeof(long) == 4));
  if (!int32 || info.ndim != 1 || (info.shape[0] > 1 && info.strides[0] != 4))
    return FieldError(field, "codes must be a contiguous one-dimensional int32 buffer");
  std::span<const std::int32_t> s(static_cast<const std::int32_t*>(info.ptr),
                                  static_cast<std::size_t>(info.shape[0]));
  keep->push_back(std::move(info));
  return s;
}

py::tuple PyKnowledgeBase::ClassifyMany(
    std::vector<std::string> chip_values, const py::buffer& chip_codes,
    std::vector<std::string> date_values, const py::buffer& date_codes,
    std::vector<std::string> to_values, const py::buffer& to_codes,
    std::vector<std::string> hq_values, const py::object& hq_codes, const std::string& options_json,
    std::optional<double> deadline) const {
  nlohmann::json options = nlohmann::json::parse(options_json, nullptr, false);
  if (options.is_discarded())
    return Failure(MakeError(ErrorCode::kParse, "the options are not valid JSON"));
  auto decoded = api::DecodeClassifyManyOptions(options);
  if (!decoded.ok()) return Failure(decoded.error());
  api::ClassifyManyRequest req;
  req.options = std::move(*decoded);
  std::vector<py::buffer_info> keep;  // holds the buffers while the engine reads them
  auto chip = Codes(chip_codes, "chip", &keep);
  if (!chip.ok()) return Failure(chip.error());
  auto date = Codes(date_codes, "date", &keep);
  if (!date.ok()) return Failure(date.error());
  auto to = Codes(to_codes, "to", &keep);
  if (!to.ok()) return Failure(to.error());
  req.chip = {std::move(chip_values), *chip};
  req.date = {std::move(date_values), *date};
  req.to = {std::move(to_values), *to};
  req.hq.values = std::move(hq_values);
  if (!hq_codes.is_none()) {
    auto hq = Codes(py::reinterpret_borrow<py::buffer>(hq_codes), "hq", &keep);
    if (!hq.ok()) return Failure(hq.error());
    req.hq.codes = *hq;
  }
  api::CallOptions call;
  call.stop = TokenFor(deadline);
  std::shared_ptr<const KnowledgeBase> kb = kb_;
  Result<api::ClassifyManyResponse> r = [&] {
    py::gil_scoped_release release;
    return api::ClassifyMany(*kb, req, call);
  }();
  if (!r.ok()) return Failure(r.error());
  nlohmann::json table = nlohmann::json::array();
  for (const api::BulkOutcome& o : r->outcomes) table.push_back(api::OutcomeJson(o));
  Int32Array rows{std::move(r->outcome)};
  return Success(py::make_tuple(py::str(table.dump()), std::move(rows), r->distinct_queries));
}

py::list Operations() {
  py::list out;
  for (const api::Operation& op : api::Operations())
    out.append(py::make_tuple(std::string(op.name), std::string(op.summary), std::string(op.tag),
                              op.request_schema().dump(), op.response_schema().dump()));
  return out;
}

}  // namespace
}  // namespace ceiling::python

PYBIND11_MODULE(_ceiling, m) {
  using namespace ceiling::python;
  m.doc() = "The compiled core of the ceiling package (use `import ceiling`, not this module).";
  m.attr("__version__") = CEILING_VERSION;
  m.attr("DEFAULT_DATA_DIR") = CEILING_DATA_DIR;

  py::class_<Int32Array>(m, "Int32Array", py::buffer_protocol(),
                         "Per-row outcome indices (int32), readable through the buffer protocol.")
      .def_buffer([](Int32Array& a) -> py::buffer_info {
        return py::buffer_info(a.data.data(), sizeof(std::int32_t),
                               py::format_descriptor<std::int32_t>::format(), 1,
                               {static_cast<py::ssize_t>(a.data.size())},
                               {static_cast<py::ssize_t>(sizeof(std::int32_t))});
      })
      .def("__len__", [](const Int32Array& a) { return a.data.size(); });

  py::class_<PyKnowledgeBase>(m, "KnowledgeBase",
                              "A loaded, immutable knowledge base (chips, rules, models, ...).")
      .def_static("load", &PyKnowledgeBase::Load, py::arg("data_dir"),
                  "Loads a data directory. Returns (error, None) or (None, KnowledgeBase).")
      .def_property_readonly("data_dir", &PyKnowledgeBase::data_dir)
      .def("version_json", &PyKnowledgeBase::VersionJson,
           "The /api/v1/version document as JSON text.")
      .def("openapi_json", &PyKnowledgeBase::OpenApiJson, "The OpenAPI 3.1 document as JSON text.")
      .def("run", &PyKnowledgeBase::Run, py::arg("operation"), py::arg("body"),
           py::arg("deadline") = py::none(), py::arg("interruptible") = false,
           "Runs one operation on a JSON request body. Returns (error, None) or (None, text).")
      .def("classify_many", &PyKnowledgeBase::ClassifyMany, py::arg("chip_values"),
           py::arg("chip_codes"), py::arg("date_values"), py::arg("date_codes"),
           py::arg("to_values"), py::arg("to_codes"), py::arg("hq_values"), py::arg("hq_codes"),
           py::arg("options"), py::arg("deadline") = py::none(),
           "Bulk classification over interned columns. Returns (error, None) or "
           "(None, (outcomes_json, Int32Array, distinct_queries)).");

  m.def("operations", &Operations,
        "Every operation: (name, summary, tag, request schema JSON, response schema JSON).");
}
