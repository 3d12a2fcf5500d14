// The condition language of rule files, compiled once and evaluated with three-valued logic.
//
// A condition is a boolean expression over chip variables (facts.h), named parameters of the
// rule and the control paragraphs already decided:
//
//   tpp >= tpp_a or (tpp >= 1600 and pd >= pd_a)
//   2400 <= tpp < 4800 and 1.6 <= pd < 5.92          # chained comparisons
//   market != "datacenter" and tpp < tpp_nondc
//   meets("3A090.a") and dram_bw < dram_bw_cbc       # a paragraph met earlier, a bandwidth
//
// Grammar (lowest precedence first):
//   or   := and ("or" and)*          and := not ("and" not)*       not := "not" not | cmp
//   cmp  := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)*
//   sum  := prod (("+" | "-") prod)*   prod := unary (("*" | "/") unary)*   unary := "-" unary | atom
//   atom := NUMBER | "STRING" | "true" | "false" | IDENT | meets("PARAGRAPH") | "(" or ")"
// Identifiers are variables (tpp, pd, io_bw, dram_bw, mem_capacity, die_area, scale_up_bw, tdp,
// mbd, id, vendor, family, market, form_factor, item) or parameters named by the caller.
//
// Types are checked at compile time: numbers carry a dimension (dram_bw is a bandwidth), and a
// bare number may only meet a plain quantity (tpp, pd), so `dram_bw < 6500` is an error while
// `dram_bw < dram_bw_cbc` (a parameter "6500 GB/s") is fine. Strings compare only with == and
// != against a literal, and literals of market/form_factor/item must be legal values.
//
// Evaluation is three-valued (Kleene): an unknown variable makes a comparison unknown, but
// `false and unknown` is false and `true or unknown` is true. Every value carries the set of
// variables whose unknown-ness it depends on, so a caller can say *why* a result is unknown.
//
//   CompileEnv env;
//   env.param = [&](std::string_view n) -> std::optional<ParamRef> { ... };
//   ASSIGN_OR_RETURN(Condition c, Condition::Compile("tpp >= tpp_a", env));
//   Cell r = c.Evaluate({&facts, params.data(), nullptr}, nullptr);
//   if (r.tri == Tri::kUnknown) ...  // r.unknown has Bit(Var::kTpp) set
//
// Compile errors (kParse) carry `location.column` = 1-based offset into the text and `context`
// = the text, so that ToStringWithCaret() points at the problem; callers reading files shift
// the location into the file. Evaluation never fails and never allocates.
// Thread safety: a compiled Condition is immutable; Evaluate is const and reentrant.
#ifndef CEILING_RULES_CONDITION_H_
#define CEILING_RULES_CONDITION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/result.h"
#include "ceiling/base/units.h"
#include "ceiling/rules/facts.h"

namespace ceiling::rules {

enum class Tri : std::uint8_t { kFalse = 0, kTrue = 1, kUnknown = 2 };
std::string_view TriName(Tri t);  // "false", "true", "unknown"
constexpr Tri TriOf(bool b) { return b ? Tri::kTrue : Tri::kFalse; }

// A three-valued truth value plus the variables whose unknown-ness it depends on (Bit(Var)).
struct Cell {
  Tri tri = Tri::kFalse;
  std::uint32_t unknown = 0;
};
Cell And(Cell a, Cell b);
Cell Or(Cell a, Cell b);
Cell Not(Cell a);

enum class CmpOp : std::uint8_t { kLt, kLe, kGt, kGe, kEq, kNe };
std::string_view CmpOpText(CmpOp op);  // "<", "<=", ...

struct ParamRef {
  std::uint16_t slot = 0;  // index into the parameter values passed to Evaluate
  DimVector dim;           // dimension of the parameter's value (plain for bare numbers)
};

struct CompileEnv {
  // Resolves a parameter name; nullopt when unknown.
  std::function<std::optional<ParamRef>(std::string_view)> param;
  // Resolves meets("PREFIX") to the paragraph slots it covers (a paragraph matches when it
  // equals PREFIX or starts with PREFIX + "."). Empty vector: unknown paragraph. When unset,
  // meets() is an error ("meets() is not allowed here").
  std::function<std::vector<std::uint16_t>(std::string_view)> paragraphs;
  // Names offered in "did you mean" hints for unknown identifiers, besides the variables.
  std::vector<std::string> param_names;
};

// One comparison in a condition, kept for the trace and for headroom.
struct Atom {
  CmpOp op = CmpOp::kLt;
  std::string lhs_text, rhs_text;       // source text of each side
  std::optional<Var> lhs_var, rhs_var;  // set when a side is a bare variable
  std::optional<std::uint16_t> lhs_param, rhs_param;  // set when a side is a bare parameter
  std::optional<double> lhs_const, rhs_const;         // set when a side is a bare number
  DimVector dim;                                      // dimension both sides share
  bool is_string = false;                             // string (in)equality
  std::size_t begin = 0, end = 0;                     // span in the text
};

// The value of an atom in one evaluation (trace).
struct AtomValue {
  double lhs = 0, rhs = 0;
  bool lhs_known = false, rhs_known = false;
  Cell outcome;
};

// Inputs to an evaluation. `params` holds values in canonical units (facts.h), indexed by
// ParamRef::slot. `paragraphs` holds the decided control paragraphs by slot (may be null when
// the condition has no meets()).
struct EvalInput {
  const ChipFacts* facts = nullptr;
  const double* params = nullptr;
  const Cell* paragraphs = nullptr;
};

class Condition {
 public:
  static Result<Condition> Compile(std::string_view text, const CompileEnv& env);
  // The condition that is always true (e.g. a clause without applies_to).
  static Condition True();

  // `atoms_out` (nullable) receives one AtomValue per atoms() entry.
  Cell Evaluate(const EvalInput& in, AtomValue* atoms_out) const;

  const std::string& text() const { return text_; }
  const std::vector<Atom>& atoms() const { return atoms_; }
  std::uint32_t vars_read() const { return vars_read_; }
  // Parameter slots the condition reads.
  const std::vector<std::uint16_t>& params_read() const { return params_read_; }
  // The paragraph slots of each meets() in the condition, in text order.
  const std::vector<std::vector<std::uint16_t>>& meets() const { return meets_; }
  bool is_true() const { return ops_.size() == 1 && always_true_; }

  // The evaluation stack never grows beyond this; larger conditions fail to compile.
  static constexpr std::size_t kMaxStack = 48;
  // Longer conditions fail to compile with a clear message (the longest bundled one has about
  // 20 words and symbols). Chains (`a and b and ...`, `x + y + ...`) compile without recursion;
  // parentheses, `not` and unary '-' nest at most 64 deep.
  static constexpr std::size_t kMaxLength = 10'000;  // bytes
  static constexpr std::size_t kMaxTokens = 2'000;   // words, numbers, operators, parentheses

  // Bytecode, public for the compiler in condition_compile.cc only.
  enum class OpCode : std::uint8_t {
    kNum, kVar, kParam, kBool, kAdd, kSub, kMul, kDiv, kNeg, kCmp, kStrCmp, kAnd, kOr, kNot,
    kMeets
  };
  struct Op {
    OpCode code;
    std::uint8_t small = 0;   // CmpOp, Var or bool
    std::uint16_t index = 0;  // atom, param slot, string, or meets list
    double number = 0;
  };

 private:
  friend class ConditionCompiler;
  std::string text_;
  std::vector<Op> ops_;
  std::vector<Atom> atoms_;
  std::vector<std::string> strings_;
  std::vector<std::vector<std::uint16_t>> meets_;
  std::vector<std::uint16_t> params_read_;
  std::uint32_t vars_read_ = 0;
  bool always_true_ = false;
};

}  // namespace ceiling::rules

#endif  // CEILING_RULES_CONDITION_H_
