// Three-valued evaluation of compiled conditions: a small stack machine, no allocation.
#include <array>

#include "ceiling/rules/condition.h"

namespace ceiling::rules {

std::string_view TriName(Tri t) {
  switch (t) {
    case Tri::kFalse: return "false";
    case Tri::kTrue: return "true";
    case Tri::kUnknown: return "unknown";
  }
  return "unknown";
}

std::string_view CmpOpText(CmpOp op) {
  switch (op) {
    case CmpOp::kLt: return "<";
    case CmpOp::kLe: return "<=";
    case CmpOp::kGt: return ">";
    case CmpOp::kGe: return ">=";
    case CmpOp::kEq: return "==";
    case CmpOp::kNe: return "!=";
  }
  return "?";
}

// Kleene logic. The unknown-set of a decided result is empty; of an unknown result, the union
// of the unknown operands' sets (a false operand of `and` decides it, so nothing else matters).
Cell And(Cell a, Cell b) {
  if (a.tri == Tri::kFalse || b.tri == Tri::kFalse) return {Tri::kFalse, 0};
  if (a.tri == Tri::kTrue && b.tri == Tri::kTrue) return {Tri::kTrue, 0};
  return {Tri::kUnknown, (a.tri == Tri::kUnknown ? a.unknown : 0) |
                             (b.tri == Tri::kUnknown ? b.unknown : 0)};
}

Cell Or(Cell a, Cell b) {
  if (a.tri == Tri::kTrue || b.tri == Tri::kTrue) return {Tri::kTrue, 0};
  if (a.tri == Tri::kFalse && b.tri == Tri::kFalse) return {Tri::kFalse, 0};
  return {Tri::kUnknown, (a.tri == Tri::kUnknown ? a.unknown : 0) |
                             (b.tri == Tri::kUnknown ? b.unknown : 0)};
}

Cell Not(Cell a) {
  if (a.tri == Tri::kUnknown) return a;
  return {a.tri == Tri::kTrue ? Tri::kFalse : Tri::kTrue, 0};
}

namespace {

struct Slot {
  double num;
  std::uint32_t unknown;  // for numbers: variables that made it unknown (0 and known = known)
  bool known;
  Tri tri;
};

bool Compare(CmpOp op, double a, double b) {
  switch (op) {
    case CmpOp::kLt: return a < b;
    case CmpOp::kLe: return a <= b;
    case CmpOp::kGt: return a > b;
    case CmpOp::kGe: return a >= b;
    case CmpOp::kEq: return a == b;
    case CmpOp::kNe: return a != b;
  }
  return false;
}

}  // namespace

Cell Condition::Evaluate(const EvalInput& in, AtomValue* atoms_out) const {
  std::array<Slot, kMaxStack + 4> stack;
  std::size_t sp = 0;
  for (const Op& op : ops_) {
    switch (op.code) {
      case OpCode::kNum:
        stack[sp++] = {op.number, 0, true, Tri::kFalse};
        break;
      case OpCode::kVar: {
        const Var v = static_cast<Var>(op.small);
        if (in.facts->Known(v)) {
          stack[sp++] = {in.facts->number(v), 0, true, Tri::kFalse};
        } else {
          stack[sp++] = {0, Bit(v), false, Tri::kFalse};
        }
        break;
      }
      case OpCode::kParam:
        stack[sp++] = {in.params[op.index], 0, true, Tri::kFalse};
        break;
      case OpCode::kBool:
        stack[sp++] = {0, 0, true, op.small != 0 ? Tri::kTrue : Tri::kFalse};
        break;
      case OpCode::kAdd:
      case OpCode::kSub:
      case OpCode::kMul:
      case OpCode::kDiv: {
        Slot& a = stack[sp - 2];
        const Slot& b = stack[sp - 1];
        if (a.known && b.known) {
          switch (op.code) {
            case OpCode::kAdd: a.num += b.num; break;
            case OpCode::kSub: a.num -= b.num; break;
            case OpCode::kMul: a.num *= b.num; break;
            default: a.num /= b.num;
          }
        } else {
          a.known = false;
          a.unknown |= b.unknown;
        }
        --sp;
        break;
      }
      case OpCode::kNeg:
        stack[sp - 1].num = -stack[sp - 1].num;
        break;
      case OpCode::kCmp: {
        const Slot& a = stack[sp - 2];
        const Slot& b = stack[sp - 1];
        Cell c;
        if (a.known && b.known) {
          c.tri = TriOf(Compare(static_cast<CmpOp>(op.small), a.num, b.num));
        } else {
          c = {Tri::kUnknown, a.unknown | b.unknown};
        }
        if (atoms_out != nullptr) {
          AtomValue& av = atoms_out[op.index];
          av.lhs = a.num;
          av.rhs = b.num;
          av.lhs_known = a.known;
          av.rhs_known = b.known;
          av.outcome = c;
        }
        --sp;
        stack[sp - 1] = {0, c.unknown, true, c.tri};
        break;
      }
      case OpCode::kStrCmp: {
        const Var v = static_cast<Var>(op.small);
        Cell c;
        if (in.facts->Known(v)) {
          const bool eq = in.facts->text(v) == strings_[static_cast<std::size_t>(op.number)];
          c.tri = TriOf(atoms_[op.index].op == CmpOp::kEq ? eq : !eq);
        } else {
          c = {Tri::kUnknown, Bit(v)};
        }
        if (atoms_out != nullptr) {
          AtomValue& av = atoms_out[op.index];
          av.lhs_known = in.facts->Known(v);
          av.rhs_known = true;
          av.outcome = c;
        }
        stack[sp++] = {0, c.unknown, true, c.tri};
        break;
      }
      case OpCode::kAnd:
      case OpCode::kOr: {
        const Cell a{stack[sp - 2].tri, stack[sp - 2].unknown};
        const Cell b{stack[sp - 1].tri, stack[sp - 1].unknown};
        const Cell c = op.code == OpCode::kAnd ? And(a, b) : Or(a, b);
        --sp;
        stack[sp - 1] = {0, c.unknown, true, c.tri};
        break;
      }
      case OpCode::kNot: {
        const Cell c = Not({stack[sp - 1].tri, stack[sp - 1].unknown});
        stack[sp - 1] = {0, c.unknown, true, c.tri};
        break;
      }
      case OpCode::kMeets: {
        Cell c{Tri::kFalse, 0};
        for (std::uint16_t slot : meets_[op.index]) c = Or(c, in.paragraphs[slot]);
        stack[sp++] = {0, c.unknown, true, c.tri};
        break;
      }
    }
  }
  return {stack[0].tri, stack[0].unknown};
}

}  // namespace ceiling::rules
