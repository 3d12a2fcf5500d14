// The CLI's machinery: flags from request fields, file arguments, output, diagnostics.
#include "cli.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ceiling/base/file.h"
#include "ceiling/base/text.h"

namespace ceiling::cli {

namespace fs = std::filesystem;

namespace {

bool LooksLikePath(const std::string& s) {
  return s.find('/') != std::string::npos || (s.size() > 5 && s.ends_with(".toml"));
}

// A TOML input named on the command line: only *.toml files are read, so that a mistyped path
// (`classify /etc/shadow`) is refused before any of its text could reach a diagnostic.
Result<api::Text> ReadTomlArgument(const std::string& path) {
  if (!path.ends_with(".toml"))
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: not a .toml file (chips, models, rules and design spaces are "
                                 "TOML files; give a catalog id or a .toml path)",
                                 path));
  ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, path));
  return api::Text{std::move(text), path};
}

// Any other input file (a CSV or JSON screening list).
Result<api::Text> ReadDataArgument(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, path));
  return api::Text{std::move(text), path};
}

}  // namespace

Result<std::shared_ptr<const api::KnowledgeBase>> Context::Kb(unsigned parts) {
  if (!kb_) {
    ASSIGN_OR_RETURN(kb_, api::KnowledgeBase::Load(data_dir, parts));
  }
  return kb_;
}

int Context::Fail(const Error& e) const {
  std::string text;
  if (e.location.known()) {
    text = e.code == ErrorCode::kParse && !e.context.empty() ? e.ToStringWithCaret() : e.ToString();
  } else if (!e.field.empty()) {
    auto it = flag_of.find(e.field);
    const std::string flag = it != flag_of.end() ? it->second : "--" + e.field;
    // A positional argument ("CHIP") needs no label when the message names the value ("unknown
    // chip 'x'"); one that does not ("is required", for an empty string) gets it.
    const bool names_value = !e.message.starts_with("is ") && !e.message.starts_with("must ");
    text = flag.rfind("--", 0) == 0 || !names_value ? fmt::format("{}: {}", flag, e.message)
                                                    : e.message;
  } else {
    text = e.message;
  }
  // A located error's text is already safe (Error::ToString); the others quote request values.
  err << (e.location.known() ? text : SanitizeForTerminal(text, 2000)) << "\n";
  return kExitBadInput;
}

int Context::Print(const std::string& content) const {
  out << content;
  out.flush();
  if (!out) {
    err << "ceiling: cannot write the output: " << std::strerror(errno != 0 ? errno : EIO) << "\n";
    return kExitBadInput;
  }
  return kExitOk;
}

CLI::Validator NonEmpty() {
  return CLI::Validator(
      [](std::string& s) {
        return s.empty() ? std::string("is empty: give a value, or leave the option out")
                         : std::string();
      },
      "", "non-empty");
}

Status CheckOutputPath(const std::string& path) {
  if (path.empty() || path == "-") return OkStatus();
  std::error_code ec;
  const fs::file_status st = fs::status(fs::path(path), ec);
  if (fs::is_directory(st))
    return MakeError(ErrorCode::kIo, fmt::format("{}: cannot write: is a directory", path));
  if (fs::exists(st) && !fs::is_regular_file(st))
    return MakeError(
        ErrorCode::kIo,
        fmt::format("{}: cannot write: not a regular file (a device, FIFO or socket)", path));
  const fs::path folder = fs::path(path).parent_path();
  if (!folder.empty() && !fs::is_directory(folder, ec))
    return MakeError(ErrorCode::kIo,
                     fmt::format("{}: cannot write: no such folder {}", path, folder.string()));
  return OkStatus();
}

Status WriteOutputs(const std::vector<std::pair<std::string, std::string>>& files,
                    std::ostream& out, std::ostream* told) {
  std::vector<std::pair<fs::path, fs::path>> staged;  // temp -> target
  auto cleanup = [&] {
    std::error_code ec;
    for (const auto& [tmp, target] : staged) fs::remove(tmp, ec);
  };
  // Targets that cannot be replaced by a file (a directory, a device) are refused before anything
  // is written: a rename into them would fail after the other files were already in place.
  for (const auto& [path, content] : files)
    if (auto st = CheckOutputPath(path); !st.ok()) return st;
  const std::string* to_stdout = nullptr;
  for (const auto& [path, content] : files) {
    if (path.empty() || path == "-") {
      to_stdout = &content;
      continue;
    }
    const fs::path target(path);
    const fs::path tmp = target.string() + ".tmp";
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) {
      const int e = errno;
      cleanup();
      return MakeError(ErrorCode::kIo,
                       fmt::format("{}: cannot write: {}", path, std::strerror(e != 0 ? e : EIO)));
    }
    staged.emplace_back(tmp, target);
    f << content;
    f.flush();
    f.close();
    if (!f) {
      const int e = errno;
      cleanup();
      return MakeError(ErrorCode::kIo,
                       fmt::format("{}: write failed: {}", path, std::strerror(e != 0 ? e : EIO)));
    }
  }
  for (const auto& [tmp, target] : staged) {
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) {
      cleanup();
      return MakeError(ErrorCode::kIo,
                       fmt::format("{}: cannot write: {}", target.string(), ec.message()));
    }
  }
  if (told != nullptr)
    for (const auto& [path, content] : files)
      if (!path.empty() && path != "-")
        *told << fmt::format("wrote {} ({} bytes)\n", path,
                             FormatFixed(static_cast<double>(content.size()), 0));
  if (to_stdout != nullptr) out << *to_stdout;
  return OkStatus();
}

// Binder ------------------------------------------------------------------------------------------

bool Binder::Hidden(const api::Field& f) const {
  return std::find(spec_.hidden.begin(), spec_.hidden.end(), f.name) != spec_.hidden.end();
}

std::string Binder::Name(const api::Field& f) {
  std::string name;
  if (std::find(spec_.positional.begin(), spec_.positional.end(), f.name) !=
      spec_.positional.end()) {
    name = f.name;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return c == '_' ? '-' : std::toupper(c); });
    flag_of_[f.name] = name;
    return name;
  }
  auto it = spec_.rename.find(f.name);
  if (it != spec_.rename.end()) {
    name = it->second;
  } else {
    name = "--" + std::string(f.name);
    std::replace(name.begin(), name.end(), '_', '-');
  }
  flag_of_[f.name] = name.substr(0, name.find(','));
  return name;
}

std::string Binder::Help(const api::Field& f) const { return f.doc; }

template <class T>
CLI::Option* Binder::Add(const api::Field& f, T& v) {
  CLI::Option* o = sub_->add_option(Name(f), v, Help(f));
  if (f.required()) o->required();
  if ((f.flags & api::kAdvanced) != 0) o->group("Advanced");
  return o;
}

void Binder::operator()(const api::Field& f, std::string& v) {
  if (Hidden(f)) return;
  CLI::Option* o = Add(f, v);
  if (!v.empty()) o->capture_default_str();
  // An empty value is an empty shell variable, not a choice: `--end-user "$NAME"` with NAME unset
  // must not screen nobody and say so nowhere.
  o->check(NonEmpty());
}

void Binder::operator()(const api::Field& f, bool& v) {
  if (Hidden(f)) return;
  std::string name = Name(f);
  if (v) {  // on by default: the flag turns it off
    name = "--no-" + name.substr(2);
    flag_of_[f.name] = name;
    // The field's help says what is on; the flag turns it off, and its help must say so.
    std::string help = Help(f);
    if (!help.empty() && help[0] >= 'A' && help[0] <= 'Z')
      help[0] = static_cast<char>(help[0] - 'A' + 'a');
    auto* o = sub_->add_flag_callback(
        name, [&v] { v = false; }, "Turn off (on by default): " + help);
    if ((f.flags & api::kAdvanced) != 0) o->group("Advanced");
  } else {
    auto* o = sub_->add_flag(name, v, Help(f));
    if ((f.flags & api::kAdvanced) != 0) o->group("Advanced");
  }
}

void Binder::operator()(const api::Field& f, int& v) {
  if (!Hidden(f)) Add(f, v)->capture_default_str();
}
void Binder::operator()(const api::Field& f, std::int64_t& v) {
  if (!Hidden(f)) Add(f, v)->capture_default_str();
}
void Binder::operator()(const api::Field& f, double& v) {
  if (!Hidden(f)) Add(f, v)->capture_default_str();
}
void Binder::operator()(const api::Field& f, std::optional<int>& v) {
  if (!Hidden(f)) Add(f, v);
}
void Binder::operator()(const api::Field& f, std::optional<double>& v) {
  if (!Hidden(f)) Add(f, v);
}
void Binder::operator()(const api::Field& f, std::vector<std::string>& v) {
  if (Hidden(f)) return;
  CLI::Option* o = Add(f, v);
  if (f.choices != nullptr) o->delimiter(',');  // "--count shipped,ordered" as well as repeated
}

void Binder::operator()(const api::Field& f, api::Ref& v) {
  if (Hidden(f)) return;
  std::string& arg = strings_.emplace_back();
  Add(f, arg)->description(Help(f) + " (here: a path to a .toml file)");
  const std::string field = f.name;
  finish_.push_back([&v, &arg, field]() -> Status {
    if (arg.empty()) return OkStatus();
    if (!LooksLikePath(arg)) {
      v.id = arg;
      return OkStatus();
    }
    auto text = ReadTomlArgument(arg);
    if (!text.ok()) return text.error();
    v.toml = std::move(*text);
    return OkStatus();
  });
}

void Binder::operator()(const api::Field& f, std::vector<api::Ref>& v) {
  if (Hidden(f)) return;
  std::vector<std::string>& args = lists_.emplace_back();
  Add(f, args)->description(Help(f) + " (here: paths to .toml files)");
  finish_.push_back([&v, &args]() -> Status {
    for (const std::string& a : args) {
      api::Ref r;
      if (!LooksLikePath(a)) {
        r.id = a;
      } else {
        auto text = ReadTomlArgument(a);
        if (!text.ok()) return text.error();
        r.toml = std::move(*text);
      }
      v.push_back(std::move(r));
    }
    return OkStatus();
  });
}

void Binder::operator()(const api::Field& f, std::optional<api::Text>& v) {
  if (Hidden(f)) return;
  std::string& arg = strings_.emplace_back();
  Add(f, arg)->description(Help(f) + " (a file)");
  const bool any_file = (f.flags & api::kDataFile) != 0;
  finish_.push_back([&v, &arg, any_file]() -> Status {
    if (arg.empty()) return OkStatus();
    auto text = any_file ? ReadDataArgument(arg) : ReadTomlArgument(arg);
    if (!text.ok()) return text.error();
    v = std::move(*text);
    return OkStatus();
  });
}

void Binder::operator()(const api::Field& f, std::vector<api::Text>& v) {
  if (Hidden(f)) return;
  std::vector<std::string>& args = lists_.emplace_back();
  Add(f, args)->description(Help(f) + " (a file; repeatable)");
  finish_.push_back([&v, &args]() -> Status {
    for (const std::string& a : args) {
      auto text = ReadTomlArgument(a);
      if (!text.ok()) return text.error();
      v.push_back(std::move(*text));
    }
    return OkStatus();
  });
}

Status Binder::Finish() {
  for (auto& f : finish_) RETURN_IF_ERROR(f());
  finish_.clear();
  return OkStatus();
}

}  // namespace ceiling::cli
