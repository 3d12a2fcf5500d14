// A straightforward reference interpreter of the condition language (rules/condition.h), for the
// differential fuzz target: it evaluates the text directly by recursive descent, with its own
// tokenizer and its own three-valued logic, sharing no code with the compiler or the bytecode
// evaluator. It assumes the text compiled (types were checked there).
#ifndef CEILING_FUZZ_REFERENCE_CONDITION_H_
#define CEILING_FUZZ_REFERENCE_CONDITION_H_

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/rules/facts.h"

namespace ceiling::fuzz {

struct RefValue {
  enum Kind { kBool, kNum, kStr } kind = kBool;
  int tri = 0;  // 0 false, 1 true, 2 unknown
  std::uint32_t unknown = 0;
  bool known = true;  // numbers
  double num = 0;
  std::optional<rules::Var> var;  // strings: the variable, else a literal
  std::string literal;
};

struct RefEnv {
  const rules::ChipFacts* facts = nullptr;
  // name -> value of a parameter, if it is one
  std::function<std::optional<double>(std::string_view)> param;
  // meets("PREFIX"): (tri, unknown) of the paragraphs it covers, or-ed
  std::function<RefValue(std::string_view)> meets;
};

class ReferenceCondition {
 public:
  ReferenceCondition(std::string_view text, const RefEnv& env) : s_(text), env_(env) { Skip(); }

  RefValue Run() { return Or(); }

 private:
  static RefValue Bool(int tri, std::uint32_t unknown) {
    RefValue v;
    v.kind = RefValue::kBool;
    v.tri = tri;
    v.unknown = tri == 2 ? unknown : 0;
    return v;
  }
  static RefValue AndOf(const RefValue& a, const RefValue& b) {
    if (a.tri == 0 || b.tri == 0) return Bool(0, 0);
    if (a.tri == 1 && b.tri == 1) return Bool(1, 0);
    return Bool(2, (a.tri == 2 ? a.unknown : 0) | (b.tri == 2 ? b.unknown : 0));
  }
  static RefValue OrOf(const RefValue& a, const RefValue& b) {
    if (a.tri == 1 || b.tri == 1) return Bool(1, 0);
    if (a.tri == 0 && b.tri == 0) return Bool(0, 0);
    return Bool(2, (a.tri == 2 ? a.unknown : 0) | (b.tri == 2 ? b.unknown : 0));
  }

  void Skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool Word(std::string_view w) {
    if (s_.compare(i_, w.size(), w) != 0) return false;
    const std::size_t e = i_ + w.size();
    if (e < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[e])) || s_[e] == '_'))
      return false;
    i_ = e;
    Skip();
    return true;
  }
  bool Sym(std::string_view sym) {
    if (s_.compare(i_, sym.size(), sym) != 0) return false;
    i_ += sym.size();
    Skip();
    return true;
  }

  RefValue Or() {
    RefValue v = And();
    while (Word("or")) v = OrOf(v, And());
    return v;
  }
  RefValue And() {
    RefValue v = Not();
    while (Word("and")) v = AndOf(v, Not());
    return v;
  }
  RefValue Not() {
    if (Word("not")) {
      RefValue v = Not();
      return v.tri == 2 ? v : Bool(v.tri == 1 ? 0 : 1, 0);
    }
    return Cmp();
  }
  std::optional<int> CmpOp() {
    for (auto [sym, op] : {std::pair{"<=", 1}, {">=", 3}, {"==", 4}, {"!=", 5}, {"<", 0}, {">", 2}})
      if (Sym(sym)) return op;
    return std::nullopt;
  }
  static bool Compare(int op, double a, double b) {
    switch (op) {
      case 0:
        return a < b;
      case 1:
        return a <= b;
      case 2:
        return a > b;
      case 3:
        return a >= b;
      case 4:
        return a == b;
      default:
        return a != b;
    }
  }
  RefValue Pair(int op, const RefValue& a, const RefValue& b) {
    if (a.kind == RefValue::kStr) {
      const RefValue& var = a.var ? a : b;
      const RefValue& lit = a.var ? b : a;
      if (!env_.facts->Known(*var.var)) return Bool(2, rules::Bit(*var.var));
      const bool eq = env_.facts->text(*var.var) == lit.literal;
      return Bool((op == 4 ? eq : !eq) ? 1 : 0, 0);
    }
    if (a.known && b.known) return Bool(Compare(op, a.num, b.num) ? 1 : 0, 0);
    return Bool(2, a.unknown | b.unknown);
  }
  RefValue Cmp() {
    RefValue left = Sum();
    std::optional<int> op = CmpOp();
    if (!op) return left;
    RefValue result;
    bool first = true;
    while (op) {
      RefValue right = Sum();
      const RefValue c = Pair(*op, left, right);
      result = first ? c : AndOf(result, c);
      first = false;
      left = right;
      op = CmpOp();
    }
    return result;
  }
  static RefValue Arith(char op, const RefValue& a, const RefValue& b) {
    RefValue r;
    r.kind = RefValue::kNum;
    if (a.known && b.known) {
      r.num = op == '+'   ? a.num + b.num
              : op == '-' ? a.num - b.num
              : op == '*' ? a.num * b.num
                          : a.num / b.num;
    } else {
      r.known = false;
      r.unknown = a.unknown | b.unknown;
    }
    return r;
  }
  RefValue Sum() {
    RefValue v = Product();
    while (true) {
      if (Sym("+"))
        v = Arith('+', v, Product());
      else if (Sym("-"))
        v = Arith('-', v, Product());
      else
        return v;
    }
  }
  RefValue Product() {
    RefValue v = Unary();
    while (true) {
      if (Sym("*"))
        v = Arith('*', v, Unary());
      else if (Sym("/"))
        v = Arith('/', v, Unary());
      else
        return v;
    }
  }
  RefValue Unary() {
    if (Sym("-")) {
      RefValue v = Unary();
      v.num = -v.num;
      return v;
    }
    return Atom();
  }
  RefValue Atom() {
    if (Sym("(")) {
      RefValue v = Or();
      Sym(")");
      return v;
    }
    const char c = i_ < s_.size() ? s_[i_] : '\0';
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      std::size_t j = i_;
      while (j < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[j])) || s_[j] == '.'))
        ++j;
      if (j < s_.size() && (s_[j] == 'e' || s_[j] == 'E')) {
        std::size_t k = j + 1;
        if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) ++k;
        if (k < s_.size() && std::isdigit(static_cast<unsigned char>(s_[k]))) {
          j = k;
          while (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j]))) ++j;
        }
      }
      RefValue v;
      v.kind = RefValue::kNum;
      v.num = std::strtod(std::string(s_.substr(i_, j - i_)).c_str(), nullptr);
      i_ = j;
      Skip();
      return v;
    }
    if (c == '"') {
      RefValue v;
      v.kind = RefValue::kStr;
      std::size_t j = i_ + 1;
      while (j < s_.size() && s_[j] != '"') {
        if (s_[j] == '\\' && j + 1 < s_.size()) ++j;
        v.literal += s_[j++];
      }
      i_ = j + 1;
      Skip();
      return v;
    }
    std::size_t j = i_;
    while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '_')) ++j;
    const std::string name(s_.substr(i_, j - i_));
    i_ = j;
    Skip();
    if (name == "true") return Bool(1, 0);
    if (name == "false") return Bool(0, 0);
    if (name == "meets") {
      Sym("(");
      const RefValue arg = Atom();
      Sym(")");
      return env_.meets(arg.literal);
    }
    if (auto var = rules::VarFromName(name)) {
      RefValue v;
      if (rules::IsNumeric(*var)) {
        v.kind = RefValue::kNum;
        if (env_.facts->Known(*var)) {
          v.num = env_.facts->number(*var);
        } else {
          v.known = false;
          v.unknown = rules::Bit(*var);
        }
      } else {
        v.kind = RefValue::kStr;
        v.var = *var;
      }
      return v;
    }
    RefValue v;
    v.kind = RefValue::kNum;
    v.num = env_.param(name).value_or(0);
    return v;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  const RefEnv& env_;
};

}  // namespace ceiling::fuzz

#endif  // CEILING_FUZZ_REFERENCE_CONDITION_H_
