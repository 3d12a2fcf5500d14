// The set language over the bundled country groups, differentially: CountryDb::CompileSet +
// Evaluate against a direct recursive-descent evaluation of the text ('&' binds tighter than '|'
// and '-', which are left-associative), on a few dates.
#include <cctype>

#include "ceiling/rules/countries.h"
#include "fuzz_common.h"

namespace {

using namespace ceiling;

class RefSet {
 public:
  RefSet(std::string_view s, const rules::CountryDb& db, Date d) : s_(s), db_(db), d_(d) { Skip(); }
  rules::CountrySet Run() { return Union(); }

 private:
  void Skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool Sym(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      Skip();
      return true;
    }
    return false;
  }
  rules::CountrySet Union() {
    rules::CountrySet v = Inter();
    while (true) {
      if (Sym('|'))
        v |= Inter();
      else if (Sym('-'))
        v &= ~Inter();
      else
        return v;
    }
  }
  rules::CountrySet Inter() {
    rules::CountrySet v = Atom();
    while (Sym('&')) v &= Atom();
    return v;
  }
  rules::CountrySet Atom() {
    if (Sym('(')) {
      rules::CountrySet v = Union();
      Sym(')');
      return v;
    }
    std::size_t j = i_;
    while (j < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == ':' || s_[j] == '_'))
      ++j;
    const std::string name(s_.substr(i_, j - i_));
    i_ = j;
    Skip();
    rules::CountrySet v;
    if (name == "ALL") {
      for (int k = 0; k < db_.size(); ++k) v.set(static_cast<std::size_t>(k));
    } else if (name.find(':') != std::string::npos) {
      for (std::size_t g = 0; g < db_.groups().size(); ++g)
        if (db_.groups()[g].id == name) v = db_.GroupMembers(g, d_);
    } else if (auto c = db_.Find(name)) {
      v.set(static_cast<std::size_t>(db_.Canonical(*c, d_)));
    }
    return v;
  }
  std::string_view s_;
  std::size_t i_ = 0;
  const rules::CountryDb& db_;
  Date d_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  const rules::CountryDb& db = fuzz::Data().book.countries();
  auto set = db.CompileSet(text);
  if (!set.ok()) {
    fuzz::CheckDiagnostic(set.error());
    return 0;
  }
  for (Date d : {Date{2019, 1, 1}, Date{2023, 11, 17}, Date{2026, 3, 1}}) {
    rules::CountrySet want = RefSet(text, db, d).Run();
    // Evaluate applies treatments (HK as CN) to the result as well.
    for (const rules::Treatment& t : db.treatments())
      if (t.from <= d)
        want.set(static_cast<std::size_t>(t.country), want.test(static_cast<std::size_t>(t.as)));
    fuzz::Require(db.Evaluate(*set, d) == want, "compiled and reference set evaluations differ",
                  text);
  }
  return 0;
}
